import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { DTypeError, ShapeError, ValueError, randn, tensor, zeros } from '@tessera/core';
import { Module } from '@tessera/nn';
import { LearnedPositionalEmbedding, RotaryEmbedding, SinusoidalPositionalEncoding } from '../src/index';
import { maxDeviation } from './helpers';

const f64 = { dtype: 'float64' } as const;

describe('SinusoidalPositionalEncoding', () => {
  it('PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)) in float64, even and odd dModel', async () => {
    for (const dModel of [16, 7]) {
      const pe = new SinusoidalPositionalEncoding(dModel, { maxLen: 300, ...f64 }).pe;
      expect(pe.shape).toEqual([300, dModel]);
      const table = (await pe.array()) as number[][];
      let worst = 0;
      for (let pos = 0; pos < 300; pos++) {
        for (let j = 0; j < dModel; j++) {
          const i = Math.floor(j / 2);
          const angle = pos / Math.pow(10000, (2 * i) / dModel);
          worst = Math.max(worst, Math.abs(table[pos][j] - (j % 2 === 0 ? Math.sin(angle) : Math.cos(angle))));
        }
      }
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('adds PE[0…T−1] broadcast over the batch (sequence-first, batch-first, unbatched) and PE[offset…] with an offset', async () => {
    const sequenceFirst = new SinusoidalPositionalEncoding(8, { maxLen: 20, ...f64 });
    const batchFirst = new SinusoidalPositionalEncoding(8, { maxLen: 20, batchFirst: true, ...f64 });
    const pe = sequenceFirst.pe;
    const zerosInput = zeros([5, 3, 8], f64);
    const out = sequenceFirst.forward(zerosInput);
    for (let b = 0; b < 3; b++) expect(await maxDeviation(out.select(1, b), pe.narrow(0, 0, 5))).toBe(0);
    const outBatchFirst = batchFirst.forward(zeros([3, 5, 8], f64));
    for (let b = 0; b < 3; b++) expect(await maxDeviation(outBatchFirst.select(0, b), pe.narrow(0, 0, 5))).toBe(0);
    const x = randn([4, 8], f64);
    expect(await maxDeviation(sequenceFirst.forward(x, { offset: 6 }), x.add(pe.narrow(0, 6, 4)))).toBe(0);
  });

  it('the table is a non-persistent buffer: listed, not saved, not expected when loading', () => {
    const encoding = new SinusoidalPositionalEncoding(8, { maxLen: 10 });
    expect(encoding.namedBuffers().map(([name]) => name)).toEqual(['pe']);
    expect(Object.keys(encoding.stateDict())).toEqual([]);
    expect(encoding.loadStateDict({})).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('dropout applies in training mode only', async () => {
    const encoding = new SinusoidalPositionalEncoding(8, { maxLen: 50, dropout: 0.5, ...f64 });
    const x = randn([40, 2, 8], f64);
    expect(Array.from(await encoding.forward(x).data()).filter((v) => v === 0).length).toBeGreaterThan(100);
    encoding.eval();
    expect(await maxDeviation(encoding.forward(x), x.add(encoding.pe.narrow(0, 0, 40).unsqueeze(1)))).toBe(0);
  });

  it('errors: positions past maxLen, wrong dModel, wrong dtype', () => {
    const encoding = new SinusoidalPositionalEncoding(8, { maxLen: 10 });
    expect(() => encoding.forward(zeros([8, 1, 8]), { offset: 3 })).toThrow(ValueError);
    expect(() => encoding.forward(zeros([8, 1, 8]), { offset: 3 })).toThrow(/positions 3…10 .* exceed maxLen 10/);
    expect(() => encoding.forward(zeros([4, 1, 6]))).toThrow(/input has 6 features .*dModel = 8/);
    expect(() => encoding.forward(zeros([4, 1, 8], f64))).toThrow(DTypeError);
  });
});

describe('LearnedPositionalEmbedding', () => {
  it('returns rows 0…T−1 of its table (T a number, from int32 ids [B, T], or from embeddings [B, T, dim]) and rows offset… with an offset', async () => {
    const positions = new LearnedPositionalEmbedding(12, 4, f64);
    const rows = positions.weight.narrow(0, 0, 5);
    expect(await maxDeviation(positions.forward(5), rows)).toBe(0);
    expect(await maxDeviation(positions.forward(zeros([2, 5], { dtype: 'int32' })), rows)).toBe(0);
    expect(await maxDeviation(positions.forward(zeros([2, 5, 4], f64)), rows)).toBe(0);
    expect(await maxDeviation(positions.forward(1, { offset: 7 }), positions.weight.narrow(0, 7, 1))).toBe(0);
  });

  it('trains only the rows it used; its key is weight (PyTorch nn.Embedding\'s)', async () => {
    const positions = new LearnedPositionalEmbedding(6, 3, f64);
    expect(Object.keys(positions.stateDict())).toEqual(['weight']);
    positions.forward(2, { offset: 3 }).sum().backward();
    const grad = (await positions.weight.grad!.array()) as number[][];
    expect(grad.map((row) => row[0])).toEqual([0, 0, 0, 1, 1, 0]);
  });

  it('errors: positions past maxLen, ids of the wrong rank, a bool input', () => {
    const positions = new LearnedPositionalEmbedding(4, 2);
    expect(() => positions.forward(3, { offset: 2 })).toThrow(/positions 2…4 .* exceed maxLen 4/);
    expect(() => positions.forward(zeros([1, 2, 3], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => positions.forward(zeros([2], { dtype: 'bool' }))).toThrow(DTypeError);
  });
});

describe('RotaryEmbedding (rotate-half convention of GPT-NeoX and Llama)', () => {
  const rope = new RotaryEmbedding(8, { maxLen: 64, ...f64 });

  it('rotate_half pairs feature i with feature i + dim/2: position 1 of a unit vector e_0 is (cos θ₀, 0, 0, 0, sin θ₀, 0, 0, 0)', async () => {
    const e0 = tensor([[[1, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0]]], f64); // [1, T=2, 8]
    const rotated = (await rope.rotate(e0).array()) as number[][][];
    expect(rotated[0][0]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(rotated[0][1][0]).toBeCloseTo(Math.cos(1), 15);
    expect(rotated[0][1][4]).toBeCloseTo(Math.sin(1), 15);
    expect(rotated[0][1].filter((_, i) => i !== 0 && i !== 4).every((v) => v === 0)).toBe(true);
  });

  it('q′·k′ depends only on the distance between the positions, and rotation keeps norms', async () => {
    const q = randn([1, 1, 1, 8], f64);
    const k = randn([1, 1, 1, 8], f64);
    const score = async (qPosition: number, kPosition: number) =>
      rope.rotate(q, { offset: qPosition }).mul(rope.rotate(k, { offset: kPosition })).sum().item();
    expect(await score(9, 4)).toBeCloseTo(await score(30, 25), 12);
    expect(await score(0, 3)).toBeCloseTo(await score(40, 43), 12);
    expect(await rope.rotate(q, { offset: 17 }).pow(2).sum().item()).toBeCloseTo(await q.pow(2).sum().item(), 12);
  });

  it('cached decoding: rotating step t with offset t equals slicing the rotation of the whole sequence', async () => {
    const [q, k] = [randn([2, 3, 6, 8], f64), randn([2, 3, 6, 8], f64)];
    const [qAll, kAll] = rope.apply(q, k);
    const [qStep, kStep] = rope.apply(q.narrow(2, 4, 2), k.narrow(2, 4, 2), { offset: 4 });
    expect(await maxDeviation(qStep, qAll.narrow(2, 4, 2))).toBe(0);
    expect(await maxDeviation(kStep, kAll.narrow(2, 4, 2))).toBe(0);
  });

  it('seqDim −3 handles [B, T, heads, headDim]; features past dim pass through (partial rotary)', async () => {
    const q = randn([2, 5, 3, 8], f64);
    const rotated = rope.rotate(q, { seqDim: -3 });
    expect(await maxDeviation(rotated, rope.rotate(q.transpose(1, 2)).transpose(1, 2))).toBe(0);
    const wide = randn([1, 4, 12], f64);
    const partial = rope.rotate(wide);
    expect(await maxDeviation(partial.narrow(-1, 0, 8), rope.rotate(wide.narrow(-1, 0, 8)))).toBe(0);
    expect(await maxDeviation(partial.narrow(-1, 8, 4), wide.narrow(-1, 8, 4))).toBe(0);
  });

  it('its tables are non-persistent buffers, and Module.apply(fn) still walks it', () => {
    expect(rope.namedBuffers().map(([name]) => name)).toEqual(['inv_freq', 'cos_cached', 'sin_cached']);
    expect(Object.keys(rope.stateDict())).toEqual([]);
    const seen: Module[] = [];
    expect(rope.apply((m) => seen.push(m))).toBe(rope);
    expect(seen).toEqual([rope]);
  });

  it('errors: odd dim, q and k of different lengths, positions past maxLen, too few features', () => {
    expect(() => new RotaryEmbedding(7)).toThrow(/dim \(headDim\) must be even/);
    expect(() => rope.apply(randn([1, 3, 8], f64), randn([1, 4, 8], f64))).toThrow(/q and k must cover the same positions/);
    expect(() => rope.rotate(randn([1, 4, 8], f64), { offset: 61 })).toThrow(/positions 61…64 .* exceed maxLen 64/);
    expect(() => rope.rotate(randn([1, 4, 6], f64))).toThrow(/6 features .* fewer than the rotary dim 8/);
    expect(() => rope.rotate(randn([1, 4, 8]))).toThrow(DTypeError);
  });
});
