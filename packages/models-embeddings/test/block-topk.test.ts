import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { tensor } from '@tessera/core';
import { blockTopk } from '../src/vectors/block-topk';
import { gaussian } from './helpers';

describe('blockTopk', () => {
  it('equals a full sort for every row, whatever N, k and where the winners sit', async () => {
    const normal = gaussian(9);
    for (const [rows, columns, k] of [[3, 1000, 10], [5, 2049, 7], [2, 50, 10], [4, 997, 1], [1, 10_000, 100]]) {
      const values = Float32Array.from({ length: rows * columns }, () => normal());
      // Crowd row 0's winners into one block, the case a naive per-block top-1 would miss.
      for (let j = 0; j < Math.min(k, columns); j++) values[j] = 10 + j;
      const top = await blockTopk(tensor(values, { shape: [rows, columns] }), k);
      expect(top.k).toBe(Math.min(k, columns));
      for (let r = 0; r < rows; r++) {
        const want = Array.from(values.subarray(r * columns, (r + 1) * columns), (score, column) => ({ score, column }))
          .sort((a, b) => b.score - a.score)
          .slice(0, top.k);
        expect(Array.from(top.columns.subarray(r * top.k, (r + 1) * top.k))).toEqual(want.map((w) => w.column));
        expect(Array.from(top.scores.subarray(r * top.k, (r + 1) * top.k))).toEqual(want.map((w) => w.score));
      }
    }
  });
});
