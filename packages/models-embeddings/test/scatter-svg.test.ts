import { describe, expect, it } from 'vitest';
import { scatterSvg } from '../src/index';

const circles = (svg: string): [number, number][] =>
  [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe('scatterSvg', () => {
  it('draws one circle and one escaped label per point, inside the image, y up', () => {
    const svg = scatterSvg([[0, 0], [1, 1], [2, 0.5]], ['king', 'queen & co', '<rome>'], { width: 300, height: 200, title: 'A "title"' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>queen &amp; co</text>');
    expect(svg).toContain('>&lt;rome&gt;</text>');
    expect(svg).toContain('A &quot;title&quot;');
    const xy = circles(svg);
    expect(xy).toHaveLength(3);
    for (const [x, y] of xy) {
      expect(x).toBeGreaterThanOrEqual(24);
      expect(x).toBeLessThanOrEqual(276);
      expect(y).toBeLessThanOrEqual(176);
    }
    expect(xy[1][1]).toBeLessThan(xy[0][1]); // larger y is higher up
  });

  it('keeps one scale for both axes by default', () => {
    const xy = circles(scatterSvg(new Float64Array([0, 0, 10, 0, 0, 1]), undefined, { width: 400, height: 400 }));
    const dx = xy[1][0] - xy[0][0];
    const dy = xy[0][1] - xy[2][1];
    expect(dx / dy).toBeCloseTo(10, 6);
    const stretched = circles(scatterSvg(new Float64Array([0, 0, 10, 0, 0, 1]), undefined, { width: 400, height: 400, equalAspect: false }));
    expect((stretched[1][0] - stretched[0][0]) / (stretched[0][1] - stretched[2][1])).toBeCloseTo(1, 6);
  });

  it('colours points by group, in order of first appearance', () => {
    const svg = scatterSvg([[0, 0], [1, 1], [2, 2]], undefined, { groups: ['b', 'a', 'b'], palette: ['red', 'blue'] });
    expect([...svg.matchAll(/fill="(red|blue)"/g)].map((m) => m[1])).toEqual(['red', 'blue', 'red']);
  });

  it('names bad input', () => {
    expect(() => scatterSvg([[0, 0]], ['a', 'b'])).toThrow(/2 labels for 1 points/);
    expect(() => scatterSvg(new Float64Array(3))).toThrow(/not \[n, 2\] points/);
    expect(() => scatterSvg([[0, NaN]])).toThrow(/point 0 is not finite/);
  });
});
