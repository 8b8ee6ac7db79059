/**
 * A labelled scatter plot as a standalone SVG string — for PCA / t-SNE pictures of word vectors in
 * docs, demos and notebooks. No dependencies: the points are scaled into the plot area (one scale
 * for both axes by default, since distances are what an embedding shows), drawn as circles coloured
 * by group, and each label is written beside its point.
 */
import { ShapeError, ValueError } from '@tessera/core';

/** Options of {@link scatterSvg}. */
export interface ScatterSvgOptions {
  /** Image size in px (default 640 × 480). */
  width?: number;
  height?: number;
  /** Space around the plot area in px (default 24, plus room for a title). */
  margin?: number;
  /** Circle radius in px (default 3). */
  pointRadius?: number;
  /** Label font size in px (default 11). */
  fontSize?: number;
  /** A title above the plot. */
  title?: string;
  /** A group per point (e.g. a cluster or class): points of one group share a colour. */
  groups?: readonly (number | string)[];
  /** Colours for the groups, in order of first appearance (default: Tableau 10). */
  palette?: readonly string[];
  /** One scale for both axes (default true), so distances look as they are. */
  equalAspect?: boolean;
  /** Draw the x = 0 and y = 0 axes when they cross the plot (default false). */
  axes?: boolean;
  /** Background fill (default white; 'none' for transparent). */
  background?: string;
}

const TABLEAU_10 = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/**
 * An SVG scatter plot of 2-D points with optional labels.
 * @param points `[n, 2]` row-major (e.g. `(await tsne(wv)).points`) or an array of [x, y].
 * @param labels a label per point, or none.
 * @example
 * const { points } = await pca(wv, 2);
 * writeFileSync('words.svg', scatterSvg(points, wv.words, { title: 'PCA of the word vectors' }));
 */
export function scatterSvg(points: ArrayLike<number> | readonly (readonly [number, number])[], labels?: readonly string[], options: ScatterSvgOptions = {}): string {
  const xy = flatPoints(points);
  const n = xy.length / 2;
  if (labels && labels.length !== n) throw new ShapeError(`scatterSvg: ${labels.length} labels for ${n} points`);
  if (options.groups && options.groups.length !== n) throw new ShapeError(`scatterSvg: ${options.groups.length} groups for ${n} points`);
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const radius = options.pointRadius ?? 3;
  const fontSize = options.fontSize ?? 11;
  const margin = options.margin ?? 24;
  const top = margin + (options.title ? fontSize * 1.6 + 4 : 0);
  if (!(width > 2 * margin && height > top + margin)) throw new ValueError(`scatterSvg: a ${width} × ${height} image leaves no room inside margins of ${margin}`);

  // Labels are written to the right of their points: leave room for the longest (≈ 0.6 em a character).
  const labelRoom = labels ? Math.min(width / 4, Math.max(0, ...labels.map((label) => label.length)) * fontSize * 0.6 + radius + 2) : 0;
  const place = placement(xy, { left: margin, top, right: width - margin - labelRoom, bottom: height - margin }, options.equalAspect ?? true);
  const colours = groupColours(options.groups, options.palette ?? TABLEAU_10);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="${fontSize}">`,
  ];
  if ((options.background ?? 'white') !== 'none') parts.push(`<rect width="100%" height="100%" fill="${escapeXml(options.background ?? 'white')}"/>`);
  if (options.title) parts.push(`<text x="${format(width / 2)}" y="${format(margin + fontSize * 1.2)}" text-anchor="middle" font-size="${format(fontSize * 1.3)}">${escapeXml(options.title)}</text>`);
  if (options.axes) parts.push(...axisLines(place, margin, top, width, height));
  parts.push('<g stroke="white" stroke-width="0.5">');
  for (let i = 0; i < n; i++) {
    const [x, y] = place(xy[2 * i], xy[2 * i + 1]);
    parts.push(`<circle cx="${format(x)}" cy="${format(y)}" r="${radius}" fill="${escapeXml(colours[i] ?? TABLEAU_10[0])}"/>`);
  }
  parts.push('</g>');
  if (labels) {
    parts.push('<g fill="#333">');
    for (let i = 0; i < n; i++) {
      const [x, y] = place(xy[2 * i], xy[2 * i + 1]);
      parts.push(`<text x="${format(x + radius + 2)}" y="${format(y + fontSize / 3)}">${escapeXml(labels[i])}</text>`);
    }
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function flatPoints(points: ArrayLike<number> | readonly (readonly [number, number])[]): Float64Array {
  if (Array.isArray(points) && (points.length === 0 || Array.isArray(points[0]) || ArrayBuffer.isView(points[0]))) {
    return Float64Array.from((points as readonly (readonly [number, number])[]).flatMap((point, i) => {
      if (point.length !== 2) throw new ShapeError(`scatterSvg: point ${i} has ${point.length} coordinates, expected 2`);
      return [point[0], point[1]];
    }));
  }
  const flat = Float64Array.from(points as ArrayLike<number>);
  if (flat.length % 2 !== 0) throw new ShapeError(`scatterSvg: ${flat.length} values are not [n, 2] points`);
  return flat;
}

type Place = (x: number, y: number) => [number, number];

/** Data → pixel mapping into the box (y up), one scale for both axes when `equal`. */
function placement(xy: Float64Array, box: { left: number; top: number; right: number; bottom: number }, equal: boolean): Place {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < xy.length; i += 2) {
    if (!Number.isFinite(xy[i]) || !Number.isFinite(xy[i + 1])) throw new ValueError(`scatterSvg: point ${i / 2} is not finite (${xy[i]}, ${xy[i + 1]})`);
    [minX, maxX] = [Math.min(minX, xy[i]), Math.max(maxX, xy[i])];
    [minY, maxY] = [Math.min(minY, xy[i + 1]), Math.max(maxY, xy[i + 1])];
  }
  if (xy.length === 0) [minX, maxX, minY, maxY] = [0, 1, 0, 1];
  const [spanX, spanY] = [maxX - minX || 1, maxY - minY || 1];
  const [boxWidth, boxHeight] = [box.right - box.left, box.bottom - box.top];
  let [scaleX, scaleY] = [boxWidth / spanX, boxHeight / spanY];
  if (equal) scaleX = scaleY = Math.min(scaleX, scaleY);
  // Centre the data in the box.
  const offsetX = box.left + (boxWidth - spanX * scaleX) / 2;
  const offsetY = box.top + (boxHeight - spanY * scaleY) / 2;
  return (x, y) => [offsetX + (x - minX) * scaleX, offsetY + (maxY - y) * scaleY];
}

function axisLines(place: Place, margin: number, top: number, width: number, height: number): string[] {
  const [x0, y0] = place(0, 0);
  const lines: string[] = [];
  if (y0 >= top && y0 <= height - margin) lines.push(`<line x1="${margin}" y1="${format(y0)}" x2="${width - margin}" y2="${format(y0)}" stroke="#ccc"/>`);
  if (x0 >= margin && x0 <= width - margin) lines.push(`<line x1="${format(x0)}" y1="${top}" x2="${format(x0)}" y2="${height - margin}" stroke="#ccc"/>`);
  return lines;
}

function groupColours(groups: readonly (number | string)[] | undefined, palette: readonly string[]): string[] {
  if (!groups) return [];
  if (palette.length === 0) throw new ValueError('scatterSvg: the palette is empty');
  const order = new Map<number | string, number>();
  return groups.map((group) => {
    if (!order.has(group)) order.set(group, order.size);
    return palette[order.get(group)! % palette.length];
  });
}

function format(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Text safe inside SVG elements and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
