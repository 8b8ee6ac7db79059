/**
 * A loss curve as a standalone SVG line chart (no browser, no dependencies): axes with round-number
 * ticks, one polyline per series, a legend. Hand-written because the plotting libraries that render SVG in
 * Node without a DOM (ECharts' server-side renderer, Vega) are megabytes for one chart; Plot and d3's
 * axes need a DOM.
 */

/** One line of the chart. */
export interface ChartSeries {
  name: string;
  /** `[x, y]` points; non-finite values are skipped. */
  points: readonly (readonly [number, number])[];
  color: string;
  /** Draw a dot on every point (for sparse series such as evaluations). */
  dots?: boolean;
}

/** Options of {@link lineChartSVG}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

/**
 * About `count` round tick values (1, 2 or 5 × 10ⁿ apart) covering `[low, high]`.
 * @example
 * niceTicks(0, 2000, 5); // [0, 500, 1000, 1500, 2000]
 */
export function niceTicks(low: number, high: number, count: number): number[] {
  if (!(high > low)) return [low];
  // d3's rule: the 1-2-5 step nearest (on a log scale) to range / count.
  const rough = (high - low) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const error = rough / power;
  const step = power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function formatTick(value: number): string {
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) return value.toExponential(0);
  return String(Number(value.toPrecision(6)));
}

/**
 * An SVG line chart of the series.
 * @example
 * writeFileSync('loss.svg', lineChartSVG([{ name: 'train', points: [[0, 4.2], [100, 2.5]], color: '#1f77b4' }],
 *   { title: 'loss', xLabel: 'step', yLabel: 'nats per token' }));
 */
export function lineChartSVG(series: readonly ChartSeries[], options: LineChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 420;
  const margin = { left: 64, right: 24, top: 40, bottom: 52 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const finite = series.map((line) => line.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const all = finite.flat();
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const xTicks = niceTicks(Math.min(0, ...xs), Math.max(1, ...xs), 6);
  const yTicks = niceTicks(ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1, 6);
  const [xLow, xHigh] = [Math.min(xTicks[0], ...xs), Math.max(xTicks.at(-1)!, ...xs)];
  const yStep = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
  const [yLow, yHigh] = [Math.min(yTicks[0], ...ys), Math.max(yTicks.at(-1)! + (yTicks.length > 1 ? 0 : yStep), ...ys)];
  const px = (x: number) => margin.left + ((x - xLow) / (xHigh - xLow || 1)) * plotWidth;
  const py = (y: number) => margin.top + plotHeight - ((y - yLow) / (yHigh - yLow || 1)) * plotHeight;
  const round = (value: number) => value.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  ];
  for (const tick of yTicks) {
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${round(py(tick))}" y2="${round(py(tick))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${round(py(tick) + 4)}" text-anchor="end">${formatTick(tick)}</text>`);
  }
  for (const tick of xTicks) {
    parts.push(`<line x1="${round(px(tick))}" x2="${round(px(tick))}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 5}" stroke="#333"/>`);
    parts.push(`<text x="${round(px(tick))}" y="${margin.top + plotHeight + 19}" text-anchor="middle">${formatTick(tick)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  // Legend in the top-right corner, as wide as its longest name (about 6.6 px per character at 12 px).
  const legendX = margin.left + plotWidth - 40 - Math.max(...series.map((line) => line.name.length)) * 6.6;
  series.forEach((line, index) => {
    const points = finite[index];
    if (points.length > 1) {
      parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="1.5" points="${points.map(([x, y]) => `${round(px(x))},${round(py(y))}`).join(' ')}"/>`);
    }
    if (line.dots || points.length === 1) for (const [x, y] of points) parts.push(`<circle cx="${round(px(x))}" cy="${round(py(y))}" r="3" fill="${line.color}"/>`);
    const legendY = margin.top + 16 + index * 18;
    parts.push(`<line x1="${round(legendX)}" x2="${round(legendX + 22)}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${line.color}" stroke-width="2"/>`);
    parts.push(`<text x="${round(legendX + 28)}" y="${legendY}">${escapeXml(line.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
