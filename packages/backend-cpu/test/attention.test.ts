/**
 * The fused attention kernels: the float32 WebAssembly kernel (through the Backend methods) on one
 * thread and split across two, against the JavaScript kernel run in float64 on the same values; the
 * JavaScript kernel (which the backend runs only for large score matrices, so the conformance suite's
 * small cases never reach it) against core's composite in float64, and in float32. Sizes straddle the kernel's
 * blocks (32 queries, 64 keys, 8-wide vectors); causal with L = S, L < S and L > S; masks as stride-0
 * broadcast views ([L, S] over problems, key padding over queries), a full mask, and rows whose keys
 * are all hidden (out 0, logsumexp −∞, zero gradients, no NaN).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as core from '@tessera/core';
import type { AttentionParams, OutputBuffer, StridedView } from '@tessera/core/backend';
import { CpuBackend } from '../src/cpu-backend';
import { createCpuPlugin } from '../src/plugin';
import { attentionBackwardKernel, attentionKernel } from '../src/kernels/attention';
import { contiguous, randomValues, recordingSimdBackend, size } from './helpers';

const created: CpuBackend[] = [];
afterAll(() => created.forEach((backend) => backend.dispose()));

/** How the mask is laid out: none, [L, S] broadcast over problems, key padding [BH, S] over queries, or a full [BH, L, S]. */
type MaskKind = 'none' | 'shared' | 'padding' | 'full';

interface Case {
  readonly name: string;
  readonly bh: number;
  readonly queries: number;
  readonly keys: number;
  readonly embed: number;
  readonly valueSize: number;
  readonly causal?: boolean;
  readonly mask?: MaskKind;
}

const CASES: Case[] = [
  { name: 'off the block grid (L 70, S 130, E 20, Ev 11)', bh: 3, queries: 70, keys: 130, embed: 20, valueSize: 11 },
  { name: 'causal, L = S = 100, head size 64', bh: 2, queries: 100, keys: 100, embed: 64, valueSize: 64, causal: true },
  { name: 'causal, L 40 < S 100', bh: 2, queries: 40, keys: 100, embed: 16, valueSize: 8, causal: true },
  { name: 'causal, L 100 > S 40', bh: 2, queries: 100, keys: 40, embed: 16, valueSize: 8, causal: true },
  { name: 'a shared [L, S] mask (stride 0 over problems) with fully masked rows', bh: 3, queries: 37, keys: 70, embed: 12, valueSize: 9, mask: 'shared' },
  { name: 'a key-padding mask (stride 0 over queries) hiding a whole problem', bh: 3, queries: 33, keys: 65, embed: 8, valueSize: 8, mask: 'padding' },
  { name: 'a full mask', bh: 2, queries: 5, keys: 3, embed: 3, valueSize: 1, mask: 'full' },
  { name: 'one query, one key', bh: 1, queries: 1, keys: 1, embed: 1, valueSize: 1 },
];

/** Mask values and strides for a case: 0 or −∞ (about a third hidden), plus fully hidden rows. */
function maskOf(c: Case): { values: number[]; shape: number[]; strides: number[] } | null {
  const kind = c.mask ?? 'none';
  if (kind === 'none') return null;
  const stored = kind === 'shared' ? [c.queries, c.keys] : kind === 'padding' ? [c.bh, c.keys] : [c.bh, c.queries, c.keys];
  const cols = c.keys;
  const values = randomValues(size(stored), 7).map((x) => (x < -0.33 ? -Infinity : x));
  // Hide every key of some rows: every fourth query of a shared mask, problem 0 of a padding mask.
  const rows = values.length / cols;
  for (let row = 0; row < rows; row += kind === 'padding' ? rows : 4) values.fill(-Infinity, row * cols, (row + 1) * cols);
  const strides = kind === 'shared' ? [0, c.keys, 1] : kind === 'padding' ? [c.keys, 0, 1] : contiguous(stored);
  return { values, shape: [c.bh, c.queries, c.keys], strides };
}

/** The inputs of a case: q, k, v, the upstream gradient, the mask (with its view strides) and the parameters. */
function inputsOf(c: Case) {
  return {
    q: { values: randomValues(c.bh * c.queries * c.embed, 1).map((x) => 2 * x), shape: [c.bh, c.queries, c.embed] },
    k: { values: randomValues(c.bh * c.keys * c.embed, 2).map((x) => 2 * x), shape: [c.bh, c.keys, c.embed] },
    v: { values: randomValues(c.bh * c.keys * c.valueSize, 3), shape: [c.bh, c.keys, c.valueSize] },
    grad: { values: randomValues(c.bh * c.queries * c.valueSize, 4), shape: [c.bh, c.queries, c.valueSize] },
    mask: maskOf(c),
    params: { scale: 1 / Math.sqrt(c.embed), causal: c.causal ?? false } satisfies AttentionParams,
  };
}

/** Forward and backward through a backend's `attention`/`attentionBackward`: out, logsumexp, dq, dk, dv. */
function runBackend(backend: CpuBackend, c: Case): number[][] {
  const dtype = 'float32';
  const input = ({ values, shape }: { values: number[]; shape: number[] }): StridedView => {
    const id = backend.alloc(values.length, dtype);
    backend.write(id, Float32Array.from(values));
    return { id, dtype, shape, strides: contiguous(shape), offset: 0 };
  };
  const output = (shape: readonly number[]): OutputBuffer => ({ id: backend.alloc(size(shape), dtype), dtype, shape });
  const view = (buffer: OutputBuffer): StridedView => ({ ...buffer, strides: contiguous(buffer.shape), offset: 0 });
  const { q, k, v, grad, mask, params } = inputsOf(c);
  const [qv, kv, vv, gv] = [q, k, v, grad].map(input);
  const maskView = mask && { ...input({ values: mask.values, shape: [mask.values.length] }), shape: mask.shape, strides: mask.strides };
  const out = output(gv.shape), lse = output([c.bh, c.queries]);
  const grads = [qv, kv, vv].map((x) => output(x.shape));
  expect(backend.attention!(qv, kv, vv, maskView, params, out, lse)).toBe(true);
  expect(backend.attentionBackward!(gv, qv, kv, vv, maskView, view(out), view(lse), params, grads[0], grads[1], grads[2])).toBe(true);
  return [out, lse, ...grads].map((buffer) => Array.from(backend.readSync(buffer.id, dtype, 0, size(buffer.shape))));
}

/** Forward and backward through the JavaScript kernels on host arrays of `dtype`. */
function runJavaScript(c: Case, dtype: 'float32' | 'float64'): number[][] {
  const array = (values: number[] | number) => (dtype === 'float32' ? new Float32Array(values as number[]) : new Float64Array(values as number[]));
  const { q, k, v, grad, mask, params } = inputsOf(c);
  const [qv, kv, vv, gv] = [q, k, v, grad].map(({ values, shape }) => ({ data: array(values), shape, strides: contiguous(shape), offset: 0 }));
  const maskView = mask && { data: array(mask.values), shape: mask.shape, strides: mask.strides, offset: 0 };
  const out = array(size(gv.shape)), lse = array(c.bh * c.queries);
  const grads = [qv, kv, vv].map((x) => array(size(x.shape)));
  attentionKernel(qv, kv, vv, maskView, params, out, lse);
  const saved = (data: Float32Array | Float64Array, shape: number[]) => ({ data, shape, strides: contiguous(shape), offset: 0 });
  attentionBackwardKernel(gv, qv, kv, vv, maskView, saved(out, gv.shape), saved(lse, [c.bh, c.queries]), params, grads[0], grads[1], grads[2]);
  return [out, lse, ...grads].map((values) => Array.from(values));
}

function expectNear(actual: number[], expected: number[], what: string, tolerance: number): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [got, want] = [actual[i], expected[i]];
    if (!Number.isFinite(want)) expect(got, `${what}[${i}]`).toBe(want);
    else expect(Math.abs(got - want), `${what}[${i}]: got ${got}, expected ${want}`).toBeLessThanOrEqual(tolerance * (1 + Math.abs(want)));
  }
}

const NAMES = ['out', 'logsumexp', 'dq', 'dk', 'dv'];

describe.each([1, 2])('fused attention, WebAssembly float32 on %i thread(s)', (threads) => {
  const { backend, maxChunks } = recordingSimdBackend(threads, created);

  it.each(CASES)('matches the float64 JavaScript kernel: $name', (c) => {
    const actual = runBackend(backend, c);
    const expected = runJavaScript(c, 'float64');
    actual.forEach((values, i) => {
      expect(values.some(Number.isNaN), NAMES[i]).toBe(false);
      expectNear(values, expected[i], `${c.name} ${NAMES[i]}`, i < 2 ? 2e-5 : 1e-4);
    });
  });

  it('fully masked rows write out 0 and logsumexp −∞, and give zero gradients', () => {
    const c = CASES[4];
    const [out, lse, dq] = runBackend(backend, c);
    for (let bh = 0; bh < c.bh; bh++) {
      for (let i = 0; i < c.queries; i += 4) {
        const row = bh * c.queries + i;
        expect(lse[row]).toBe(-Infinity);
        expect(out.slice(row * c.valueSize, (row + 1) * c.valueSize)).toEqual(new Array(c.valueSize).fill(0));
        expect(dq.slice(row * c.embed, (row + 1) * c.embed)).toEqual(new Array(c.embed).fill(0));
      }
    }
  });

  it(`splits large calls across the pool (${threads === 1 ? 'one chunk' : 'several chunks'})`, () => {
    runBackend(backend, { name: 'large', bh: 4, queries: 128, keys: 128, embed: 64, valueSize: 64, causal: true });
    const expected = threads === 1 ? 1 : 2;
    expect(maxChunks.get('attention')).toBeGreaterThanOrEqual(expected);
    expect(maxChunks.get('attentionBackward')).toBeGreaterThanOrEqual(expected);
    if (threads === 1) expect([maxChunks.get('attention'), maxChunks.get('attentionBackward')]).toEqual([1, 1]);
  });
});

describe('fused attention, JavaScript kernel', () => {
  const device = 'cpu-js-attention';
  core.registerBackend(createCpuPlugin({ name: device, simd: false, threads: 1 }));

  /** The same case through core's composite (the backend declines these sizes): out, dq, dk, dv. */
  async function composite(c: Case): Promise<number[][]> {
    await core.ensureBackend(device);
    const { q, k, v, grad, mask, params } = inputsOf(c);
    const leaf = ({ values, shape }: { values: number[]; shape: number[] }) => core.tensor(values, { dtype: 'float64', shape, device, requiresGrad: true });
    const [qt, kt, vt] = [q, k, v].map(leaf);
    const stored = mask && (c.mask === 'shared' ? [c.queries, c.keys] : c.mask === 'padding' ? [c.bh, 1, c.keys] : [c.bh, c.queries, c.keys]);
    const attnMask = mask && stored ? core.tensor(mask.values, { dtype: 'float64', shape: stored, device }) : null;
    const out = core.scaledDotProductAttention(qt, kt, vt, { attnMask, isCausal: params.causal, scale: params.scale });
    const grads = core.grad(out.mul(core.tensor(grad.values, { dtype: 'float64', shape: grad.shape, device })).sum(), [qt, kt, vt]);
    return Promise.all([out, ...grads].map(async (t) => Array.from(await t!.data())));
  }

  it.each(CASES)('float64 matches core’s composite (values and gradients): $name', async (c) => {
    const [out, , ...grads] = runJavaScript(c, 'float64');
    const expected = await composite(c);
    [out, ...grads].forEach((actual, i) => expectNear(actual, expected[i], `${c.name} ${['out', 'dq', 'dk', 'dv'][i]}`, 1e-10));
  });

  it.each(CASES)('float32 matches float64 within float32 rounding: $name', (c) => {
    const actual = runJavaScript(c, 'float32');
    runJavaScript(c, 'float64').forEach((expected, i) => expectNear(actual[i], expected, `${c.name} ${NAMES[i]}`, 1e-5));
  });

  it('runs only for large score matrices: below 2²² BH·L·S elements the backend declines and core runs its composite', () => {
    const jsBackend = new CpuBackend({ simd: false, threads: 1 });
    created.push(jsBackend);
    const small = { name: 'small', bh: 2, queries: 8, keys: 8, embed: 4, valueSize: 4 };
    const view = (shape: number[]): StridedView => ({ id: jsBackend.alloc(size(shape), 'float64'), dtype: 'float64', shape, strides: contiguous(shape), offset: 0 });
    const out = (shape: number[]): OutputBuffer => ({ id: jsBackend.alloc(size(shape), 'float64'), dtype: 'float64', shape });
    const params = { scale: 0.5, causal: false };
    const [q, k, v] = [view([small.bh, small.queries, small.embed]), view([small.bh, small.keys, small.embed]), view([small.bh, small.keys, small.valueSize])];
    expect(jsBackend.attention!(q, k, v, null, params, out([2, 8, 4]), out([2, 8]))).toBe(false);
    // 16 × 512 × 512 scores (E = Ev = 1): the kernel runs, holding one row of scores at a time.
    const [bigQ, bigK, bigV] = [view([16, 512, 1]), view([16, 512, 1]), view([16, 512, 1])];
    expect(jsBackend.attention!(bigQ, bigK, bigV, null, params, out([16, 512, 1]), out([16, 512]))).toBe(true);
  });
});
