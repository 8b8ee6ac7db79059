/**
 * The main job's pieces that need no model: the tokenizers and their tokenizer.json, the run folder's
 * metrics, and the loss chart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tokenizer } from '@tessera/data';
import { lineChartSVG, niceTicks } from '../src/gpt/loss-chart';
import { RunFolder } from '../src/gpt/run-folder';
import { loadText, mobyDickPath } from '../src/gpt/text';
import { bpeTokenizer, characterSet, charTokenizer, loadTokenizer } from '../src/gpt/tokenizer';

const scratch = mkdtempSync(join(tmpdir(), 'tessera-gpt-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('text and tokenizers', () => {
  it('Moby Dick is the npm package\'s data/data.txt, the file the PyTorch twin reads', () => {
    expect(mobyDickPath()).toMatch(/@stdlib[\\/]datasets-moby-dick[\\/]data[\\/]data\.txt$/);
    const text = loadText(null);
    expect(text.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael.')).toBe(true);
    expect(text.length).toBe(1_190_317);
  });

  it('the character vocabulary is the text\'s code points in code-point order (Python\'s sorted(set(text)))', () => {
    expect(characterSet('bca\u2014a😀\n')).toEqual(['\n', 'a', 'b', 'c', '\u2014', '😀']);
    const chars = charTokenizer('hello world');
    expect(chars.vocabSize).toBe(8);
    expect(chars.encode('hello')).toEqual([3, 2, 4, 4, 5]);
    expect(chars.decode([3, 2, 4, 4, 5])).toBe('hello');
  });

  it('a char tokenizer.json loads in data\'s Tokenizer and encodes every character exactly as the trainer did', () => {
    const text = loadText(null);
    const chars = charTokenizer(text);
    const sample = text.slice(600_000, 610_000);
    const loaded = loadTokenizer(chars.toJSON(), 'char');
    expect(loaded.vocabSize).toBe(chars.vocabSize);
    expect(loaded.encode(sample)).toEqual(chars.encode(sample));
    expect(loaded.decode(chars.encode(sample))).toBe(sample);
    expect(Tokenizer.fromJSON(chars.toJSON()).encode('Call me')).toEqual(chars.encode('Call me'));
    expect(() => loaded.encode('Café')).toThrow(/"é" not in the training text's/);
    expect(() => chars.encode('Café')).toThrow(/"é" not in the training text's/);
  });

  it('a trained BPE tokenizer round-trips through its tokenizer.json', () => {
    const text = loadText(null).slice(0, 60_000);
    const bpe = bpeTokenizer(text, 400);
    expect(bpe.vocabSize).toBe(400);
    const loaded = loadTokenizer(bpe.toJSON(), 'bpe');
    const sample = text.slice(30_000, 32_000);
    expect(loaded.encode(sample)).toEqual(bpe.encode(sample));
    expect(loaded.decode(bpe.encode(sample))).toBe(sample);
    expect(bpe.encode(sample).length).toBeLessThan(sample.length * 0.7); // 144 merges already shorten English by a third
  });
});

describe('run folder', () => {
  it('metrics.jsonl gets one line per logged step; resuming drops the lines past the checkpoint', () => {
    const folder = new RunFolder(join(scratch, 'run'));
    folder.prepare(true);
    for (let step = 1; step <= 6; step++) folder.appendMetrics({ step, loss: 4 - step / 2, ...(step % 3 === 0 ? { val_loss: 4.2 - step / 2 } : {}) });
    expect(folder.readMetrics().map((line) => line.step)).toEqual([1, 2, 3, 4, 5, 6]);
    folder.truncateMetrics(4);
    expect(folder.readMetrics().map((line) => line.step)).toEqual([1, 2, 3, 4]);
    folder.writeLossChart('test run');
    const svg = readFileSync(folder.chartPath, 'utf8');
    expect(svg).toContain('<polyline');
    expect(svg.match(/<circle /g)).toHaveLength(1); // the one validation loss at step 3
    folder.prepare(true);
    expect(folder.readMetrics()).toEqual([]);
  });
});

describe('loss chart', () => {
  it('ticks are round numbers 1, 2 or 5 × 10ⁿ apart that cover the range', () => {
    expect(niceTicks(0, 2000, 5)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(1.23, 4.56, 6)).toEqual([1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
    expect(niceTicks(3, 3, 5)).toEqual([3]);
  });

  it('draws one line per series inside the plot area, a dot per sparse point, escaped labels', () => {
    const svg = lineChartSVG(
      [
        { name: 'train <smoothed>', points: [[0, 4.4], [100, 3], [200, 2.5], [300, Number.NaN]], color: '#1f77b4' },
        { name: 'val', points: [[100, 3.1], [200, 2.6]], color: '#d62728', dots: true },
      ],
      { title: 'loss & steps', xLabel: 'step', yLabel: 'nats', width: 600, height: 400 },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('loss &#38; steps');
    expect(svg).toContain('train &#60;smoothed&#62;');
    const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((match) => match[1].split(' ').map((pair) => pair.split(',').map(Number)));
    expect(polylines.map((line) => line.length)).toEqual([3, 2]); // the NaN point is skipped
    for (const [x, y] of polylines.flat()) {
      expect(x).toBeGreaterThanOrEqual(64);
      expect(x).toBeLessThanOrEqual(600 - 24);
      expect(y).toBeGreaterThanOrEqual(40);
      expect(y).toBeLessThanOrEqual(400 - 52);
    }
    expect(svg.match(/<circle /g)).toHaveLength(2);
    // SVG's y grows downwards: the falling loss is drawn falling.
    expect(polylines[0][2][1]).toBeGreaterThan(polylines[0][0][1]);
  });
});
