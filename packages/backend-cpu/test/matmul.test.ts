import { describe, expect, it } from 'vitest';
import { randomValues, setup } from './helpers';

/** float64 reference: out[b, i, j] = Σk a(b, i, k) · b(b, k, j) through arbitrary accessors. */
function reference(batch: number, rows: number, depth: number, cols: number,
  a: (b: number, i: number, k: number) => number, b: (b: number, k: number, j: number) => number): number[] {
  const out: number[] = [];
  for (let n = 0; n < batch; n++)
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let sum = 0;
        for (let k = 0; k < depth; k++) sum += a(n, i, k) * b(n, k, j);
        out.push(sum);
      }
  return out;
}

function maxRelativeError(actual: number[], expected: number[]): number {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  return worst;
}

describe('matmul', () => {
  for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`${transA ? 'transposed' : 'plain'} A × ${transB ? 'transposed' : 'plain'} B on odd sizes 37×53×29 matches float64`, () => {
      const { backend, input, output, read } = setup();
      const [batch, rows, depth, cols] = [2, 37, 53, 29];
      const aValues = randomValues(batch * rows * depth, 11);
      const bValues = randomValues(batch * depth * cols, 12);
      // A transposed operand is a buffer of the transposed shape read with swapped strides.
      const aStrides = transA ? [rows * depth, 1, rows] : [rows * depth, depth, 1];
      const bStrides = transB ? [depth * cols, 1, depth] : [depth * cols, cols, 1];
      const a = { ...input(aValues, [batch * rows * depth], 'float64'), shape: [batch, rows, depth], strides: aStrides };
      const b = { ...input(bValues, [batch * depth * cols], 'float64'), shape: [batch, depth, cols], strides: bStrides };
      const out = output([batch, rows, cols], 'float64');
      backend.matmul(a, b, out);
      const get = (values: number[], strides: number[]) => (n: number, i: number, k: number) =>
        values[n * strides[0] + i * strides[1] + k * strides[2]];
      const expected = reference(batch, rows, depth, cols, get(aValues, aStrides), get(bValues, bStrides));
      expect(maxRelativeError(read(out), expected)).toBeLessThan(1e-13);
    });
  }

  it('broadcasts a batch with stride 0 and honours offsets', () => {
    const { backend, input, output, read } = setup();
    const [batch, rows, depth, cols] = [3, 5, 7, 6];
    const aValues = randomValues(1 + rows * depth, 21);
    const bValues = randomValues(batch * depth * cols, 22);
    const a = { ...input(aValues, [aValues.length], 'float32'), shape: [batch, rows, depth], strides: [0, depth, 1], offset: 1 };
    const b = { ...input(bValues, [bValues.length], 'float32'), shape: [batch, depth, cols], strides: [depth * cols, cols, 1] };
    const out = output([batch, rows, cols], 'float32');
    backend.matmul(a, b, out);
    const f = (v: number) => Math.fround(v);
    const expected = reference(batch, rows, depth, cols, (_n, i, k) => f(aValues[1 + i * depth + k]), (n, k, j) => f(bValues[n * depth * cols + k * cols + j]));
    expect(maxRelativeError(read(out), expected)).toBeLessThan(1e-6);
  });

  it('float32 with K larger than one block (800) stays within float32 rounding', () => {
    const { backend, input, output, read } = setup();
    const [rows, depth, cols] = [9, 800, 10];
    const aValues = randomValues(rows * depth, 31).map(Math.fround);
    const bValues = randomValues(depth * cols, 32).map(Math.fround);
    const out = output([1, rows, cols]);
    backend.matmul(input(aValues, [1, rows, depth]), input(bValues, [1, depth, cols]), out);
    const expected = reference(1, rows, depth, cols, (_n, i, k) => aValues[i * depth + k], (_n, k, j) => bValues[k * cols + j]);
    // The SIMD kernel accumulates in float32 (the JS kernel in float64, rounded once).
    expect(maxRelativeError(read(out), expected)).toBeLessThan(backend.config.simd ? 1e-5 : 1e-6);
  });

  // The SIMD kernel blocks M by 128 (4-row panels), K by 384 (equal blocks: 785 = 3 × 262 − 1) and
  // N by 1024 (8-column panels), splits rows or columns across threads, and has fast packing paths
  // for unit strides: these shapes cross every block edge, leave partial panels in M and N, and
  // run each layout through the packer it selects (a flipped operand takes the generic one).
  for (const threads of [1, 2]) {
    for (const layout of ['NN', 'TN', 'NT', 'TT', 'flipped A, broadcast B']) {
      it(`float32 ${layout} across every block edge (261×785×1037, ${threads} thread${threads > 1 ? 's' : ''}) matches float64`, () => {
        const { backend, input, output, read } = setup({ threads });
        const [batch, rows, depth, cols] = [2, 261, 785, 1037];
        const aValues = randomValues(batch * rows * depth, 41).map(Math.fround);
        const bValues = randomValues(depth * cols * (layout.includes('broadcast') ? 1 : batch), 42).map(Math.fround);
        const [transA, transB] = [layout[0] === 'T', layout[1] === 'T'];
        let aStrides = transA ? [rows * depth, 1, rows] : [rows * depth, depth, 1];
        let aOffset = 0;
        let bStrides = transB ? [depth * cols, 1, depth] : [depth * cols, cols, 1];
        if (layout.includes('flipped')) {
          aStrides = [rows * depth, -depth, -1]; // A[i, k] = stored[last − i·depth − k]
          aOffset = rows * depth - 1;
          bStrides = [0, cols, 1];
        }
        const a = { ...input(aValues, [aValues.length]), shape: [batch, rows, depth], strides: aStrides, offset: aOffset };
        const b = { ...input(bValues, [bValues.length]), shape: [batch, depth, cols], strides: bStrides };
        const out = output([batch, rows, cols]);
        backend.matmul(a, b, out);
        const actual = read(out);
        // Rows sampled around the block and thread-split edges keep the float64 reference quick.
        const sampled = [0, 1, 2, 3, 4, 87, 88, 127, 128, 129, 130, 175, 176, 255, 256, 257, 258, 259, 260];
        const aAt = (n: number, i: number, k: number) => aValues[aOffset + n * aStrides[0] + i * aStrides[1] + k * aStrides[2]];
        const bAt = (n: number, k: number, j: number) => bValues[n * bStrides[0] + k * bStrides[1] + j * bStrides[2]];
        // float32 accumulation of `depth` products in any order is within depth · 2⁻²⁴ · Σ|a·b| of
        // the exact sum (the inputs are float32, so float64 products are exact); a wrong element is off by O(1).
        let worstRatio = 0;
        for (let n = 0; n < batch; n++) {
          for (const i of sampled) {
            for (let j = 0; j < cols; j++) {
              let sum = 0;
              let magnitude = 0;
              for (let k = 0; k < depth; k++) {
                const product = aAt(n, i, k) * bAt(n, k, j);
                sum += product;
                magnitude += Math.abs(product);
              }
              const error = Math.abs(actual[(n * rows + i) * cols + j] - sum);
              worstRatio = Math.max(worstRatio, error / (depth * 2 ** -24 * magnitude));
            }
          }
        }
        expect(worstRatio).toBeLessThan(1);
        backend.dispose();
      });
    }
  }

  it('K = 0 gives zeros and empty M gives nothing', () => {
    const { backend, input, output, read } = setup();
    const out = output([1, 2, 3]);
    backend.fill(out, 7);
    backend.matmul(input([], [1, 2, 0]), input([], [1, 0, 3]), out);
    expect(read(out)).toEqual([0, 0, 0, 0, 0, 0]);
    const empty = output([1, 0, 3]);
    backend.matmul(input([], [1, 0, 4]), input(randomValues(12), [1, 4, 3]), empty);
    expect(read(empty)).toEqual([]);
  });
});
