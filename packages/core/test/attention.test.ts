import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, manualSeed, scaledDotProductAttention, grad, enableGrad, ones, zeros, DTypeError, ShapeError, ValueError,
  type Tensor, type ScaledDotProductAttentionOptions,
} from '../src/index';
import { referencePlugin, gradcheck, seededValues } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { registerPlainBackend } from './plain-backend';
import { loopKernelCalls, referenceAttention, registerLoopsBackend, type HostArray } from './attention-reference';

registerBackend(referencePlugin);
await registerLoopsBackend();
await registerPlainBackend();
await setBackend('reference');
manualSeed(11);

/** 'plain' runs the composite on plain ops, 'reference' the composite on fused softmax, 'loops' core's kernel path. */
const DEVICES = ['plain', 'reference', 'loops'] as const;

let seed = 1;
/** Seeded float64 host values in [−spread, spread) of `shape`. */
function host(shape: number[], spread = 1): HostArray & { data: Float64Array } {
  const count = shape.reduce((a, b) => a * b, 1);
  return { data: Float64Array.from(seededValues(count, seed++), (x) => x * spread), shape };
}

function upload(array: HostArray, device: string, requiresGrad = false): Tensor {
  return tensor(Float64Array.from(array.data), { dtype: 'float64', device, requiresGrad, shape: [...array.shape] });
}

function boolMask(array: HostArray, device: string): Tensor {
  return tensor(Uint8Array.from(array.data), { dtype: 'bool', device }).reshape([...array.shape]);
}

/** A bool host mask of `shape` that is true with probability about `keep`. */
function hostBool(shape: number[], keep: number): HostArray {
  const uniform = host(shape);
  return { data: Array.from(uniform.data, (x) => ((x + 1) / 2 < keep ? 1 : 0)), shape };
}

interface Case {
  readonly name: string;
  readonly q: number[];
  readonly k: number[];
  readonly v: number[];
  readonly mask?: { shape: number[]; bool: boolean };
  readonly causal?: boolean;
  readonly scale?: number;
}

const CASES: Case[] = [
  { name: 'one head, no mask', q: [5, 4], k: [7, 4], v: [7, 3] },
  { name: 'batch × heads with Ev ≠ E', q: [2, 3, 6, 8], k: [2, 3, 5, 8], v: [2, 3, 5, 2] },
  { name: 'k and v shared across heads (batch broadcast)', q: [2, 3, 4, 5], k: [2, 1, 6, 5], v: [1, 1, 6, 3] },
  { name: 'causal, L = S', q: [2, 2, 6, 4], k: [2, 2, 6, 4], v: [2, 2, 6, 4], causal: true },
  { name: 'causal, L < S (top-left aligned)', q: [1, 3, 4], k: [1, 7, 4], v: [1, 7, 2], causal: true },
  { name: 'causal, L > S', q: [2, 7, 3], k: [2, 3, 3], v: [2, 3, 3], causal: true },
  { name: 'bool [L, S] mask over batch and heads', q: [2, 2, 5, 4], k: [2, 2, 6, 4], v: [2, 2, 6, 4], mask: { shape: [5, 6], bool: true } },
  { name: 'bool key-padding mask [B, 1, 1, S]', q: [3, 2, 4, 4], k: [3, 2, 6, 4], v: [3, 2, 6, 3], mask: { shape: [3, 1, 1, 6], bool: true } },
  { name: 'additive [B, 1, L, S] mask over heads', q: [2, 3, 4, 4], k: [2, 3, 5, 4], v: [2, 3, 5, 4], mask: { shape: [2, 1, 4, 5], bool: false } },
  { name: 'additive [S] mask', q: [2, 3, 4], k: [2, 5, 4], v: [2, 5, 4], mask: { shape: [5], bool: false } },
  { name: 'a mask with more batch dims than q', q: [3, 4], k: [5, 4], v: [5, 2], mask: { shape: [2, 3, 5], bool: false } },
  { name: 'explicit scale', q: [2, 4, 3], k: [2, 4, 3], v: [2, 4, 3], scale: 0.7 },
];

/** Host inputs of a case (a bool mask keeps about 70% of keys; some rows may be fully masked). */
function caseInputs(c: Case): { q: HostArray; k: HostArray; v: HostArray; mask?: HostArray & { bool: boolean } } {
  const mask = c.mask && { ...(c.mask.bool ? hostBool(c.mask.shape, 0.7) : host(c.mask.shape, 2)), bool: c.mask.bool };
  return { q: host(c.q, 2), k: host(c.k, 2), v: host(c.v), mask };
}

function options(c: Case, mask: Tensor | undefined): ScaledDotProductAttentionOptions {
  return { attnMask: mask, isCausal: c.causal, scale: c.scale };
}

describe.each(DEVICES)('scaledDotProductAttention (%s)', (device) => {
  it.each(CASES)('matches the float64 loop reference: $name', async (c) => {
    const inputs = caseInputs(c);
    const mask = inputs.mask && (inputs.mask.bool ? boolMask(inputs.mask, device) : upload(inputs.mask, device));
    const out = scaledDotProductAttention(upload(inputs.q, device), upload(inputs.k, device), upload(inputs.v, device), options(c, mask));
    const expected = referenceAttention({ ...inputs, causal: c.causal, scale: c.scale });
    expect(out.shape).toEqual(expected.shape);
    expectAllClose(await values(out), expected.data, 1e-12);
  });

  it('a bool mask equals the additive mask of 0 and −∞', async () => {
    const mask = hostBool([4, 6], 0.6);
    const [q, k, v] = [host([2, 4, 3]), host([2, 6, 3]), host([2, 6, 5])].map((a) => upload(a, device));
    const fromBool = scaledDotProductAttention(q, k, v, { attnMask: boolMask(mask, device) });
    const additive = tensor(Float64Array.from(mask.data, (m) => (m ? 0 : -Infinity)), { dtype: 'float64', device }).reshape([4, 6]);
    expectAllClose(await values(fromBool), await values(scaledDotProductAttention(q, k, v, { attnMask: additive })), 1e-15);
  });

  it('fully masked rows output 0 and pass back zero gradients, never NaN', async () => {
    // Row 1 hides every key; rows 0 and 2 see some.
    const mask = { data: [1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0], shape: [3, 4] };
    const [q, k, v] = [host([2, 3, 5]), host([2, 4, 5]), host([2, 4, 2])].map((a) => upload(a, device, true));
    const out = scaledDotProductAttention(q, k, v, { attnMask: boolMask(mask, device) });
    out.mul(out.add(1)).sum().backward();
    const result = await values(out);
    expect(result.some(Number.isNaN)).toBe(false);
    expect([result[2], result[3], result[8], result[9]]).toEqual([0, 0, 0, 0]);
    const gradQ = await values(q.grad!);
    for (const g of [gradQ, await values(k.grad!), await values(v.grad!)]) expect(g.some(Number.isNaN)).toBe(false);
    expect(gradQ.slice(5, 10).concat(gradQ.slice(20, 25))).toEqual(new Array(10).fill(0));
    // An additive −∞ mask that hides every key of every row: all zero, gradients too.
    const hidden = tensor(new Float64Array(12).fill(-Infinity), { dtype: 'float64', device, requiresGrad: true }).reshape([3, 4]);
    const [q2, k2, v2] = [host([3, 5]), host([4, 5]), host([4, 2])].map((a) => upload(a, device, true));
    const none = scaledDotProductAttention(q2, k2, v2, { attnMask: hidden });
    none.sum().backward();
    expect(await values(none)).toEqual(new Array(6).fill(0));
    for (const t of [q2, k2, v2]) expect(await values(t.grad!)).toEqual(new Array(t.size).fill(0));
  });

  it('the default scale is 1/√E and scale multiplies q·kᵀ', async () => {
    const [q, k, v] = [host([3, 16]), host([4, 16]), host([4, 2])].map((a) => upload(a, device));
    const byDefault = await values(scaledDotProductAttention(q, k, v));
    expectAllClose(byDefault, await values(scaledDotProductAttention(q, k, v, { scale: 0.25 })), 1e-15);
    expectAllClose(await values(scaledDotProductAttention(q, k, v, { scale: 0.5 })), await values(scaledDotProductAttention(q.mul(2), k, v)), 1e-12);
  });

  it.each([
    ['causal', { causal: true, mask: null }],
    ['an additive [L, S] mask (differentiated too)', { causal: false, mask: [4, 5] }],
    ['an additive key-padding mask [B, 1, 1, S] broadcast over heads', { causal: false, mask: [2, 1, 1, 5] }],
  ] as const)('passes the finite-difference gradcheck in q, k, v with %s', async (_name, { causal, mask }) => {
    const inputs = [host([2, 2, 4, 3]), host([2, 1, 5, 3]), host([2, 2, 5, 2])].map((a) => upload(a, device, true));
    if (mask) inputs.push(upload(host([...mask], 2), device, true));
    const fn = (q: Tensor, k: Tensor, v: Tensor, m?: Tensor) => scaledDotProductAttention(q, k, v, { attnMask: m, isCausal: causal });
    await expect(gradcheck(fn, inputs)).resolves.toBe(true);
  });

  it('has exact gradients of gradients (createGraph), in q, k, v and the mask', async () => {
    const inputs = [host([2, 4, 3]), host([2, 5, 3]), host([2, 5, 2]), host([4, 5])].map((a) => upload(a, device, true));
    const directions = inputs.map((t) => upload(host([...t.shape]), device));
    // Finite differences evaluate fn under noGrad with plain inputs: fn differentiates fresh leaves then.
    const asLeaf = (t: Tensor) => {
      if (t.requiresGrad) return t;
      const leaf = t.detach();
      leaf.requiresGrad = true;
      return leaf;
    };
    const fn = (...args: Tensor[]) =>
      enableGrad(() => {
        const [q, k, v, m] = args.map(asLeaf);
        const out = scaledDotProductAttention(q, k, v, { attnMask: m });
        const grads = grad(out.mul(out).sum(), [q, k, v, m], { createGraph: true });
        return grads.map((g, i) => g!.mul(directions[i]).sum()).reduce((a, b) => a.add(b));
      });
    await expect(gradcheck(fn, inputs)).resolves.toBe(true);
  });

  it('dropout zeroes weights with probability p and scales the rest by 1/(1 − p)', async () => {
    // Equal scores and one-hot values: out[i, j] is weight_ij = keep_ij / (S·(1 − p)).
    const keys = 64;
    const p = 0.25;
    const q = zeros([2, 32, 4], { dtype: 'float64', device });
    const k = zeros([2, keys, 4], { dtype: 'float64', device });
    const v = tensor(Float64Array.from({ length: keys * keys }, (_, i) => (i % (keys + 1) === 0 ? 1 : 0)), { dtype: 'float64', device }).reshape([keys, keys]);
    const out = await values(scaledDotProductAttention(q, k, v, { dropoutP: p }));
    const kept = out.filter((x) => x !== 0);
    for (const x of kept) expect(x).toBeCloseTo(1 / (keys * (1 - p)), 12);
    const dropped = 1 - kept.length / out.length;
    // 4096 Bernoulli(0.25) draws: the standard deviation of the fraction is about 0.007.
    expect(Math.abs(dropped - p)).toBeLessThan(0.035);
    expect(await values(scaledDotProductAttention(q, k, v, { dropoutP: 1 }))).toEqual(new Array(out.length).fill(0));
    // Two calls draw different masks.
    expect(await values(scaledDotProductAttention(q, k, v, { dropoutP: p }))).not.toEqual(out);
  });

  it('handles S = 0 (zeros) and L = 0 (empty)', async () => {
    const v = ones([2, 0, 3], { dtype: 'float64', device });
    expect(await values(scaledDotProductAttention(ones([2, 4, 5], { dtype: 'float64', device }), ones([2, 0, 5], { dtype: 'float64', device }), v))).toEqual(new Array(24).fill(0));
    expect(scaledDotProductAttention(ones([2, 0, 5], { dtype: 'float64', device }), ones([2, 3, 5], { dtype: 'float64', device }), ones([2, 3, 3], { dtype: 'float64', device })).shape).toEqual([2, 0, 3]);
  });

  it('float32 inputs give a float32 result close to the float64 reference', async () => {
    const inputs = caseInputs(CASES[3]);
    const [q, k, v] = [inputs.q, inputs.k, inputs.v].map((a) => tensor(Float32Array.from(a.data), { device }).reshape([...a.shape]));
    const out = scaledDotProductAttention(q, k, v, { isCausal: true });
    expect(out.dtype).toBe('float32');
    expectAllClose(await values(out), referenceAttention({ ...inputs, causal: true }).data, 1e-5);
  });
});

describe('scaledDotProductAttention dispatch', () => {
  it('runs the kernels of a backend that has them, once forward and once backward, and the composite under dropout', async () => {
    const [q, k, v] = [host([2, 2, 3, 4]), host([2, 2, 5, 4]), host([2, 2, 5, 4])].map((a) => upload(a, 'loops', true));
    const before = { ...loopKernelCalls };
    scaledDotProductAttention(q, k, v, { attnMask: boolMask(hostBool([2, 1, 1, 5], 0.8), 'loops') }).sum().backward();
    expect(loopKernelCalls).toEqual({ attention: before.attention + 1, attentionBackward: before.attentionBackward + 1 });
    scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).sum().backward();
    expect(loopKernelCalls).toEqual({ attention: before.attention + 1, attentionBackward: before.attentionBackward + 1 });
  });
});

describe('scaledDotProductAttention errors name the op, the shapes and dtypes', () => {
  const f = (shape: number[]) => ones(shape, { dtype: 'float64' });
  it.each([
    ['rank < 2', () => scaledDotProductAttention(f([4]), f([3, 4]), f([3, 4])), ShapeError, /at least 2 dims.*q \[4\]/],
    ['E mismatch', () => scaledDotProductAttention(f([2, 4]), f([3, 5]), f([3, 4])), ShapeError, /same embedding size E.*q \[2, 4\].*k \[3, 5\]/],
    ['S mismatch', () => scaledDotProductAttention(f([2, 4]), f([3, 4]), f([5, 4])), ShapeError, /same number of keys S.*v \[5, 4\]/],
    ['batch dims', () => scaledDotProductAttention(f([2, 2, 4]), f([3, 3, 4]), f([3, 3, 4])), ShapeError, /batch dims.*cannot be broadcast/],
    ['mask shape', () => scaledDotProductAttention(f([2, 4]), f([3, 4]), f([3, 4]), { attnMask: f([2, 4]) }), ShapeError, /attnMask of shape \[2, 4\].*\[\.\.\., 2, 3\]/],
    ['mask batch', () => scaledDotProductAttention(f([2, 2, 4]), f([2, 3, 4]), f([2, 3, 4]), { attnMask: f([3, 2, 3]) }), ShapeError, /attnMask \[3, 2, 3\]/],
    ['mask dtype', () => scaledDotProductAttention(f([2, 4]), f([3, 4]), f([3, 4]), { attnMask: ones([2, 3], { dtype: 'int32' }) }), DTypeError, /attnMask must be bool or q's dtype float64.*int32/],
    ['mask float dtype', () => scaledDotProductAttention(f([2, 4]), f([3, 4]), f([3, 4]), { attnMask: ones([2, 3]) }), DTypeError, /float32/],
    ['isCausal with a mask', () => scaledDotProductAttention(f([2, 4]), f([3, 4]), f([3, 4]), { attnMask: f([2, 3]), isCausal: true }), ValueError, /not both/],
    ['integer inputs', () => scaledDotProductAttention(ones([2, 4], { dtype: 'int32' }), ones([3, 4], { dtype: 'int32' }), ones([3, 4], { dtype: 'int32' })), DTypeError, /floating dtype.*int32/],
    ['mixed dtypes', () => scaledDotProductAttention(f([2, 4]), ones([3, 4]), f([3, 4])), DTypeError, /k \[3, 4\] \(float32\)/],
    ['dropoutP', () => scaledDotProductAttention(f([2, 4]), f([3, 4]), f([3, 4]), { dropoutP: 1.5 }), ValueError, /dropoutP must be in \[0, 1\], got 1.5/],
  ] as const)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(/^scaledDotProductAttention: /);
    expect(call).toThrow(message);
  });
});
