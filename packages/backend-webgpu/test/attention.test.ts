/**
 * The fused attention kernels (forward and backward) against a float64 reference computed here from
 * the same float32 inputs: query and key counts that differ, head dims E ≠ Ev (1 to 128, multiples of
 * 4 or not), causal in both aspect ratios, additive masks viewed with broadcast (stride-0),
 * transposed and offset layouts, fully masked rows (out 0, logsumexp −∞, zero gradients, no NaN),
 * several key and query tiles, strided q/k/v, and the declines (float16, head dims over 128).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePairedBackends } from './paired-backends';
import { gpu, hasWebGPU } from './webgpu-environment';
import { requestWebGPUDevice } from '../src/runtime/device-setup';
import { WebGPUBackend } from '../src/webgpu-backend';
import type { DType, OutputBuffer, StridedView } from '@tessera/core/backend';
import type { Rng } from '@tessera/backend-conformance';

/** A layout over a buffer: strides and offset (elements) of a rank-3 (or rank-2) view. */
interface Layout {
  readonly strides: readonly number[];
  readonly offset: number;
  readonly bufferSize: number;
}

/** An attention problem: sizes, flags and host data (float32 values, read through each layout). */
interface Problem {
  readonly bh: number;
  readonly tq: number;
  readonly tk: number;
  readonly e: number;
  readonly ev: number;
  readonly scale: number;
  readonly causal: boolean;
  readonly q: HostOperand;
  readonly k: HostOperand;
  readonly v: HostOperand;
  readonly mask: HostOperand | null;
  readonly grad: Float32Array;
}

interface HostOperand {
  readonly data: Float32Array;
  readonly layout: Layout;
}

const contiguous = (shape: readonly number[]): Layout => {
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((product, extent) => product * extent, 1));
  return { strides, offset: 0, bufferSize: shape.reduce((product, extent) => product * extent, 1) };
};

/** Element (b, i, j) of a rank-3 host operand. */
const at = (operand: HostOperand, b: number, i: number, j: number) =>
  operand.data[operand.layout.offset + b * operand.layout.strides[0] + i * operand.layout.strides[1] + j * operand.layout.strides[2]];

/** float64 attention of one problem, and its gradients for `problem.grad`. */
function reference(problem: Problem) {
  const { bh, tq, tk, e, ev, scale, causal, q, k, v, mask, grad } = problem;
  const out = new Float64Array(bh * tq * ev);
  const lse = new Float64Array(bh * tq);
  const gradQ = new Float64Array(bh * tq * e);
  const gradK = new Float64Array(bh * tk * e);
  const gradV = new Float64Array(bh * tk * ev);
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < tq; i++) {
      const scores = Array.from({ length: tk }, (_, j) => {
        if (causal && j > i) return -Infinity;
        let dot = 0;
        for (let c = 0; c < e; c++) dot += at(q, b, i, c) * at(k, b, j, c);
        return scale * dot + (mask ? at(mask, b, i, j) : 0);
      });
      const maximum = Math.max(-Infinity, ...scores);
      const row = b * tq + i;
      if (maximum === -Infinity) {
        lse[row] = -Infinity;
        continue;
      }
      const logTotal = maximum + Math.log(scores.reduce((total, s) => total + Math.exp(s - maximum), 0));
      lse[row] = logTotal;
      const p = scores.map((s) => Math.exp(s - logTotal));
      for (let c = 0; c < ev; c++) out[row * ev + c] = p.reduce((total, pj, j) => total + pj * at(v, b, j, c), 0);
      let delta = 0;
      for (let c = 0; c < ev; c++) delta += grad[row * ev + c] * out[row * ev + c];
      for (let j = 0; j < tk; j++) {
        if (p[j] === 0) continue;
        let dp = 0;
        for (let c = 0; c < ev; c++) {
          dp += grad[row * ev + c] * at(v, b, j, c);
          gradV[(b * tk + j) * ev + c] += p[j] * grad[row * ev + c];
        }
        const ds = p[j] * (dp - delta);
        for (let c = 0; c < e; c++) {
          gradQ[row * e + c] += scale * ds * at(k, b, j, c);
          gradK[(b * tk + j) * e + c] += scale * ds * at(q, b, i, c);
        }
      }
    }
  }
  return { out, lse, gradQ, gradK, gradV };
}

/** Every element within `tolerance · max(1, max|expected|)` (−∞ exactly, never NaN). */
function expectClose(actual: ArrayLike<number>, expected: Float64Array, what: string, tolerance = 2e-5): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 1;
  for (const value of expected) if (Number.isFinite(value)) scale = Math.max(scale, Math.abs(value));
  for (let index = 0; index < expected.length; index++) {
    const [a, e] = [actual[index], expected[index]];
    if (!Number.isFinite(e)) {
      if (!Object.is(a, e)) expect.fail(`${what}[${index}]: ${a}, expected ${e}`);
    } else if (!(Math.abs(a - e) <= tolerance * scale)) {
      expect.fail(`${what}[${index}]: ${a}, expected ${e} (scale ${scale})`);
    }
  }
}

interface Case {
  readonly label: string;
  readonly bh: number;
  readonly tq: number;
  readonly tk: number;
  readonly e: number;
  readonly ev: number;
  readonly causal?: boolean;
  readonly scale?: number;
  /** The mask's view over a buffer and how its values are drawn. */
  readonly mask?: { layout: (tq: number, tk: number) => Layout; values: (rng: Rng, index: number) => number };
  /** q, k, v read through non-contiguous layouts (permuted, offset). */
  readonly strided?: boolean;
}

const NEG = -Infinity;
/** Mask values: mostly small biases, with −∞ where `hidden(index)`. */
const biases = (hidden: (index: number) => boolean) => (rng: Rng, index: number) => (hidden(index) ? NEG : rng.uniform(-2, 2));

const CASES: readonly Case[] = [
  { label: 'more keys than queries, E ≠ Ev', bh: 3, tq: 5, tk: 7, e: 6, ev: 3 },
  { label: 'more queries than keys, causal (rows past the last key see every key)', bh: 2, tq: 9, tk: 6, e: 8, ev: 5, causal: true },
  { label: 'more keys than queries, causal', bh: 2, tq: 6, tk: 9, e: 4, ev: 7, causal: true },
  { label: 'head dims 1 and 2', bh: 2, tq: 3, tk: 4, e: 1, ev: 2, scale: 0.7 },
  {
    label: 'padding mask [1, 1, Tk] broadcast over problems and queries (stride 0)', bh: 4, tq: 6, tk: 10, e: 8, ev: 8,
    mask: { layout: (_, tk) => ({ strides: [0, 0, 1], offset: 0, bufferSize: tk }), values: biases((j) => j === 3 || j === 7) },
  },
  {
    label: 'mask [Tq, Tk] broadcast over problems, two rows fully masked', bh: 3, tq: 7, tk: 5, e: 5, ev: 6,
    mask: { layout: (tq, tk) => ({ strides: [0, tk, 1], offset: 0, bufferSize: tq * tk }), values: biases((index) => Math.floor(index / 5) === 2 || Math.floor(index / 5) === 6) },
  },
  {
    label: 'mask per problem broadcast over queries', bh: 3, tq: 4, tk: 6, e: 4, ev: 4, causal: true,
    mask: { layout: (_, tk) => ({ strides: [tk, 0, 1], offset: 0, bufferSize: 3 * tk }), values: biases((index) => index % 6 === 1) },
  },
  {
    label: 'transposed mask view at an offset', bh: 2, tq: 5, tk: 6, e: 3, ev: 5,
    mask: { layout: (tq, tk) => ({ strides: [0, 1, tq], offset: 2, bufferSize: 2 + tq * tk }), values: biases((index) => index === 9) },
  },
  {
    // Causal hides keys after row 0; the mask hides key 0: row 0 sees nothing.
    label: 'causal plus a mask that empties the first row', bh: 2, tq: 5, tk: 5, e: 4, ev: 3, causal: true,
    mask: { layout: (_, tk) => ({ strides: [0, 0, 1], offset: 0, bufferSize: tk }), values: biases((j) => j === 0) },
  },
  { label: 'strided q, k, v (permuted, offset)', bh: 3, tq: 7, tk: 9, e: 5, ev: 6, causal: true, strided: true },
  {
    label: 'several query and key tiles, causal with a mask, E = Ev = 64', bh: 2, tq: 150, tk: 200, e: 64, ev: 64, causal: true, scale: 0.125,
    mask: { layout: (_, tk) => ({ strides: [0, 0, 1], offset: 0, bufferSize: tk }), values: biases((j) => j % 17 === 5) },
  },
  { label: 'several tiles without causal, E = 40, Ev = 72', bh: 2, tq: 130, tk: 70, e: 40, ev: 72, scale: 0.2 },
  { label: 'the largest head dims, E = Ev = 128', bh: 1, tq: 100, tk: 70, e: 128, ev: 128, causal: true, scale: 1 / Math.sqrt(128) },
  { label: 'no keys: every row fully masked', bh: 2, tq: 3, tk: 0, e: 4, ev: 4 },
];

describe.skipIf(!hasWebGPU)('fused attention on webgpu matches a float64 reference', () => {
  const fixture = usePairedBackends(20261208);
  let webgpu: WebGPUBackend;
  let rng: Rng;
  beforeAll(() => {
    ({ webgpu, rng } = fixture);
  });

  const upload = (values: Float32Array, dtype: DType = 'float32') => {
    const id = webgpu.alloc(values.length, dtype);
    if (values.length > 0) webgpu.write(id, values);
    fixture.live.push([webgpu, id]);
    return id;
  };
  const output = (shape: number[]): OutputBuffer => {
    const id = webgpu.alloc(shape.reduce((product, extent) => product * extent, 1), 'float32');
    fixture.live.push([webgpu, id]);
    return { id, dtype: 'float32', shape };
  };
  const view = (operand: HostOperand, shape: number[]): StridedView => ({
    id: upload(operand.data), dtype: 'float32', shape, strides: operand.layout.strides, offset: operand.layout.offset,
  });
  const read = (buffer: OutputBuffer) => webgpu.read(buffer.id, 'float32', 0, buffer.shape.reduce((product, extent) => product * extent, 1));

  const normal = (count: number) => Float32Array.from({ length: count }, () => rng.uniform(-1.5, 1.5));

  /** q [BH, T, D] in a permuted, offset layout ([T, BH, D] storage after 3 spare elements). */
  const hostOperand = (bh: number, t: number, d: number, strided: boolean): HostOperand => {
    if (!strided) return { data: normal(bh * t * d), layout: contiguous([bh, t, d]) };
    return { data: normal(3 + bh * t * d), layout: { strides: [d, bh * d, 1], offset: 3, bufferSize: 3 + bh * t * d } };
  };

  const makeProblem = (c: Case): Problem => {
    const maskLayout = c.mask?.layout(c.tq, c.tk);
    return {
      bh: c.bh, tq: c.tq, tk: c.tk, e: c.e, ev: c.ev, scale: c.scale ?? 1 / Math.sqrt(Math.max(c.e, 1)), causal: c.causal ?? false,
      q: hostOperand(c.bh, c.tq, c.e, c.strided ?? false),
      k: hostOperand(c.bh, c.tk, c.e, c.strided ?? false),
      v: hostOperand(c.bh, c.tk, c.ev, c.strided ?? false),
      mask: c.mask && maskLayout ? { data: Float32Array.from({ length: maskLayout.bufferSize }, (_, index) => c.mask!.values(rng, index)), layout: maskLayout } : null,
      grad: normal(c.bh * c.tq * c.ev),
    };
  };

  /** Run case `c` forward and backward on the current backend against the float64 reference. */
  const checkCase = async (c: Case): Promise<void> => {
    const problem = makeProblem(c);
    const expected = reference(problem);
    const q = view(problem.q, [c.bh, c.tq, c.e]);
    const k = view(problem.k, [c.bh, c.tk, c.e]);
    const v = view(problem.v, [c.bh, c.tk, c.ev]);
    const mask = problem.mask ? view(problem.mask, [c.bh, c.tq, c.tk]) : null;
    const params = { scale: problem.scale, causal: problem.causal };
    const out = output([c.bh, c.tq, c.ev]);
    const lse = output([c.bh, c.tq]);
    expect(webgpu.attention(q, k, v, mask, params, out, lse)).toBe(true);
    expectClose(await read(out), expected.out, 'out');
    expectClose(await read(lse), expected.lse, 'logsumexp');

    const grad: StridedView = { id: upload(problem.grad), dtype: 'float32', shape: [c.bh, c.tq, c.ev], strides: contiguous([c.bh, c.tq, c.ev]).strides, offset: 0 };
    const asView = (buffer: OutputBuffer): StridedView => ({ ...buffer, strides: contiguous(buffer.shape).strides, offset: 0 });
    const [gradQ, gradK, gradV] = [output([c.bh, c.tq, c.e]), output([c.bh, c.tk, c.e]), output([c.bh, c.tk, c.ev])];
    expect(webgpu.attentionBackward(grad, q, k, v, mask, asView(out), asView(lse), params, gradQ, gradK, gradV)).toBe(true);
    expectClose(await read(gradQ), expected.gradQ, 'gradQ', 1e-4);
    expectClose(await read(gradK), expected.gradK, 'gradK', 1e-4);
    expectClose(await read(gradV), expected.gradV, 'gradV', 1e-4);
  };
  const title = (c: Case) => `${c.label}: [${c.bh}, ${c.tq}, ${c.e}] · [${c.bh}, ${c.tk}, ${c.e}] → Ev ${c.ev}${c.causal ? ', causal' : ''}`;

  for (const c of CASES) it(title(c), () => checkCase(c));

  it('a fully masked row has out 0, logsumexp −∞ and adds nothing to any gradient', async () => {
    const c: Case = {
      label: 'row 1 masked', bh: 1, tq: 3, tk: 4, e: 4, ev: 4,
      mask: { layout: (tq, tk) => ({ strides: [0, tk, 1], offset: 0, bufferSize: tq * tk }), values: biases((index) => index >= 4 && index < 8) },
    };
    const problem = makeProblem(c);
    const q = view(problem.q, [1, 3, 4]);
    const k = view(problem.k, [1, 4, 4]);
    const v = view(problem.v, [1, 4, 4]);
    const mask = view(problem.mask!, [1, 3, 4]);
    const [out, lse] = [output([1, 3, 4]), output([1, 3])];
    webgpu.attention(q, k, v, mask, { scale: 0.5, causal: false }, out, lse);
    expect(Array.from((await read(out)).slice(4, 8))).toEqual([0, 0, 0, 0]);
    expect((await read(lse))[1]).toBe(-Infinity);
    // A huge output gradient on the masked row changes nothing.
    const grads = [1, 1e30].map(async (weight) => {
      const data = Float32Array.from(problem.grad, (value, index) => (index >= 4 && index < 8 ? value * weight : value));
      const grad: StridedView = { id: upload(data), dtype: 'float32', shape: [1, 3, 4], strides: [12, 4, 1], offset: 0 };
      const asView = (buffer: OutputBuffer): StridedView => ({ ...buffer, strides: contiguous(buffer.shape).strides, offset: 0 });
      const [gradQ, gradK, gradV] = [output([1, 3, 4]), output([1, 4, 4]), output([1, 4, 4])];
      webgpu.attentionBackward(grad, q, k, v, mask, asView(out), asView(lse), { scale: 0.5, causal: false }, gradQ, gradK, gradV);
      return Promise.all([gradQ, gradK, gradV].map(read));
    });
    const [plain, huge] = await Promise.all(grads);
    plain.forEach((values, n) => {
      expect(values.every(Number.isFinite)).toBe(true);
      expect(Array.from(huge[n])).toEqual(Array.from(values));
    });
    expect(Array.from(plain[0].slice(4, 8))).toEqual([0, 0, 0, 0]);
  });

  it('declines float16 and head dims over 128 (core then runs its composite)', () => {
    const shape = (e: number): StridedView => ({ id: upload(new Float32Array(2 * e)), dtype: 'float32', shape: [1, 2, e], strides: [2 * e, e, 1], offset: 0 });
    const [out, lse] = [output([1, 2, 4]), output([1, 2])];
    expect(webgpu.attention(shape(129), shape(129), shape(4), null, { scale: 1, causal: false }, out, lse)).toBe(false);
    expect(webgpu.attention(shape(4), shape(4), shape(129), null, { scale: 1, causal: false }, output([1, 2, 129]), lse)).toBe(false);
    const half: StridedView = { ...shape(4), dtype: 'float16' };
    expect(webgpu.attention(half, half, half, null, { scale: 1, causal: false }, out, lse)).toBe(false);
  });

  describe('with the GPU layout (head-dim sizes as literals: one pipeline per head-dim pair, loops the driver can unroll)', () => {
    let softwareLayout: WebGPUBackend;
    beforeAll(async () => {
      softwareLayout = webgpu;
      const { device, features } = await requestWebGPUDevice(gpu);
      webgpu = new WebGPUBackend(device, { features: { ...features, software: false }, owner: gpu });
    });
    afterAll(() => {
      webgpu.dispose();
      webgpu = softwareLayout;
    });
    // Small head dims: lavapipe compiles unrollable loops slowly (the reason software adapters take the other layout).
    const cases = CASES.filter((c) => c.e <= 8 && c.ev <= 8 && (c.mask || c.causal));
    for (const c of [...cases, { label: 'several key and query tiles', bh: 2, tq: 150, tk: 130, e: 8, ev: 4, causal: true } satisfies Case]) {
      it(title(c), () => checkCase(c));
    }
  });
});
