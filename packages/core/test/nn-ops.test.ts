import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, manualSeed, softmax, logSoftmax, layerNorm, conv2d, maxPool2d, maxPool2dWithIndices,
  avgPool2d, ShapeError, DTypeError, type Tensor, type Conv2dOptions,
} from '../src/index';
import { referencePlugin } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerPlainBackend();
manualSeed(5);

/** 'reference' runs the fused optional kernels; 'plain' runs core's composites. */
const DEVICES = ['reference', 'plain'] as const;

const r = (shape: number[], device: string) => randn(shape, { dtype: 'float64', device });

describe.each(DEVICES)('softmax and logSoftmax (%s)', (device) => {
  it('softmax of the course scores [2, 1, 0] is [0.665, 0.245, 0.090]', async () => {
    expectAllClose(await values(softmax(tensor([2, 1, 0], { device }), 0)), [0.6652409557748219, 0.24472847105479764, 0.09003057317038046], 1e-6);
  });

  it('rows sum to 1 along the chosen dim', async () => {
    const x = r([3, 4, 5], device);
    for (const dim of [0, 1, -1]) {
      const sums = await values(x.softmax(dim).sum(dim));
      expectAllClose(sums, sums.map(() => 1), 1e-12);
    }
  });

  it('softmax is invariant to adding a constant', async () => {
    const x = r([2, 5], device);
    expectAllClose(await values(x.add(100).softmax()), await values(x.softmax()), 1e-12);
  });

  it('matches exp(x) / Σ exp(x) and logSoftmax matches its log', async () => {
    const x = r([3, 4], device);
    const rows = (await x.array()) as number[][];
    const expected = rows.flatMap((row) => {
      const total = row.reduce((s, v) => s + Math.exp(v), 0);
      return row.map((v) => Math.exp(v) / total);
    });
    expectAllClose(await values(x.softmax(1)), expected, 1e-12);
    expectAllClose(await values(logSoftmax(x, 1)), expected.map(Math.log), 1e-12);
    expectAllClose(await values(x.softmax(0).sum(0)), [1, 1, 1, 1], 1e-12);
  });

  it('logSoftmax is stable for huge logits', async () => {
    const y = await values(tensor([1000, 0], { device }).logSoftmax());
    expectAllClose(y, [0, -1000], 1e-9);
    expectAllClose(await values(tensor([1000, 1000], { device }).softmax()), [0.5, 0.5], 1e-9);
  });

  it('works on strided input and integer input becomes float32', async () => {
    const x = r([4, 3], device);
    expectAllClose(await values(x.T.softmax()), await values(x.T.contiguous().softmax()), 1e-12);
    expect(tensor([1, 2], { dtype: 'int32', device }).softmax().dtype).toBe('float32');
  });
});

describe.each(DEVICES)('layerNorm (%s)', (device) => {
  async function direct(x: Tensor, count: number, weight: Tensor | null, bias: Tensor | null, eps: number): Promise<number[]> {
    const data = await values(x);
    const w = weight ? await values(weight) : null;
    const b = bias ? await values(bias) : null;
    const out: number[] = [];
    for (let start = 0; start < data.length; start += count) {
      const row = data.slice(start, start + count);
      const mu = row.reduce((s, v) => s + v, 0) / count;
      const variance = row.reduce((s, v) => s + (v - mu) ** 2, 0) / count;
      row.forEach((v, i) => out.push(((v - mu) / Math.sqrt(variance + eps)) * (w ? w[i] : 1) + (b ? b[i] : 0)));
    }
    return out;
  }

  it('normalises the last dim with biased variance, with and without weight and bias', async () => {
    const x = r([3, 5], device);
    const weight = r([5], device);
    const bias = r([5], device);
    expectAllClose(await values(layerNorm(x, [5])), await direct(x, 5, null, null, 1e-5), 1e-10);
    expectAllClose(await values(layerNorm(x, [5], weight, bias)), await direct(x, 5, weight, bias, 1e-5), 1e-10);
    expectAllClose(await values(layerNorm(x, [5], weight, null, 0.1)), await direct(x, 5, weight, null, 0.1), 1e-10);
  });

  it('normalises several trailing dims, on a strided input', async () => {
    const x = r([4, 3, 2], device).permute([0, 2, 1]); // [4, 2, 3]
    const weight = r([2, 3], device);
    expectAllClose(await values(layerNorm(x, [2, 3], weight)), await direct(x.contiguous(), 6, weight.contiguous(), null, 1e-5), 1e-10);
  });

  it('rejects a normalizedShape that is not the trailing shape, and integer inputs', () => {
    const x = r([3, 5], device);
    expect(() => layerNorm(x, [3])).toThrow(ShapeError);
    expect(() => layerNorm(x, [5], r([4], device))).toThrow(ShapeError);
    expect(() => layerNorm(tensor([[1, 2]], { dtype: 'int32', device }), [2])).toThrow(DTypeError);
  });
});

/** Direct 7-loop convolution (cross-correlation) with per-side padding. */
async function directConv(
  x: Tensor, w: Tensor, bias: Tensor | null,
  { stride = [1, 1], padTop = 0, padLeft = 0, dilation = [1, 1], groups = 1, outH, outW }:
  { stride?: number[]; padTop?: number; padLeft?: number; dilation?: number[]; groups?: number; outH: number; outW: number },
): Promise<number[]> {
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const xd = await values(x);
  const wd = await values(w);
  const bd = bias ? await values(bias) : null;
  const out: number[] = [];
  const perGroupOut = O / groups;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / perGroupOut);
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          let total = bd ? bd[o] : 0;
          for (let c = 0; c < Cg; c++) {
            for (let kh = 0; kh < KH; kh++) {
              for (let kw = 0; kw < KW; kw++) {
                const h = oh * stride[0] - padTop + kh * dilation[0];
                const wPos = ow * stride[1] - padLeft + kw * dilation[1];
                if (h < 0 || h >= H || wPos < 0 || wPos >= W) continue;
                total += xd[((n * C + g * Cg + c) * H + h) * W + wPos] * wd[((o * Cg + c) * KH + kh) * KW + kw];
              }
            }
          }
          out.push(total);
        }
      }
    }
  }
  return out;
}

describe.each(DEVICES)('conv2d matches a direct 7-loop reference (%s)', (device) => {
  const cases: { name: string; x: number[]; w: number[]; options: Conv2dOptions; bias: boolean }[] = [
    { name: 'plain 3×3', x: [2, 3, 6, 5], w: [4, 3, 3, 3], options: {}, bias: true },
    { name: 'stride 2', x: [1, 2, 7, 7], w: [3, 2, 3, 3], options: { stride: 2 }, bias: false },
    { name: 'padding 1', x: [2, 2, 5, 5], w: [2, 2, 3, 3], options: { padding: 1 }, bias: true },
    { name: 'asymmetric stride and padding', x: [1, 2, 6, 7], w: [2, 2, 3, 2], options: { stride: [2, 1], padding: [1, 2] }, bias: true },
    { name: 'dilation 2', x: [1, 2, 8, 8], w: [3, 2, 3, 3], options: { dilation: 2, padding: 1 }, bias: false },
    { name: 'groups 2', x: [2, 4, 5, 5], w: [6, 2, 3, 3], options: { groups: 2, padding: 1 }, bias: true },
    { name: 'depthwise', x: [1, 3, 4, 4], w: [3, 1, 2, 2], options: { groups: 3 }, bias: true },
    { name: '1×1', x: [2, 3, 4, 4], w: [5, 3, 1, 1], options: {}, bias: true },
  ];
  for (const { name, x: xs, w: ws, options, bias: withBias } of cases) {
    it(name, async () => {
      const x = r(xs, device);
      const w = r(ws, device);
      const bias = withBias ? r([ws[0]], device) : null;
      const y = conv2d(x, w, bias, options);
      const stride = typeof options.stride === 'number' ? [options.stride, options.stride] : (options.stride ?? [1, 1]);
      const padding = typeof options.padding === 'number' ? [options.padding, options.padding] : ((options.padding as number[]) ?? [0, 0]);
      const dilation = typeof options.dilation === 'number' ? [options.dilation, options.dilation] : (options.dilation ?? [1, 1]);
      const outH = Math.floor((xs[2] + 2 * padding[0] - dilation[0] * (ws[2] - 1) - 1) / stride[0]) + 1;
      const outW = Math.floor((xs[3] + 2 * padding[1] - dilation[1] * (ws[3] - 1) - 1) / stride[1]) + 1;
      expect(y.shape).toEqual([xs[0], ws[0], outH, outW]);
      const expected = await directConv(x, w, bias, { stride, padTop: padding[0], padLeft: padding[1], dilation, groups: options.groups, outH, outW });
      expectAllClose(await values(y), expected, 1e-10);
    });
  }

  it("padding 'same' keeps H and W, also for even kernels (extra padding at the bottom/right)", async () => {
    const x = r([1, 2, 5, 6], device);
    for (const [kh, kw, dilation] of [[3, 3, 1], [4, 2, 1], [3, 2, 2]]) {
      const w = r([2, 2, kh, kw], device);
      const y = conv2d(x, w, null, { padding: 'same', dilation });
      expect(y.shape).toEqual([1, 2, 5, 6]);
      const expected = await directConv(x, w, null, {
        padTop: Math.floor((dilation * (kh - 1)) / 2), padLeft: Math.floor((dilation * (kw - 1)) / 2), dilation: [dilation, dilation], outH: 5, outW: 6,
      });
      expectAllClose(await values(y), expected, 1e-10);
    }
    expect(conv2d(x, r([2, 2, 3, 3], device), null, { padding: 'valid' }).shape).toEqual([1, 2, 3, 4]);
  });

  it('an unbatched [C, H, W] input gives [O, OH, OW]', async () => {
    const x = r([2, 4, 4], device);
    const w = r([3, 2, 3, 3], device);
    const y = conv2d(x, w);
    expect(y.shape).toEqual([3, 2, 2]);
    expectAllClose(await values(y), await values(conv2d(x.unsqueeze(0), w)), 1e-12);
  });

  it('shape errors name both shapes', () => {
    expect(() => conv2d(r([1, 3, 5, 5], device), r([2, 2, 3, 3], device))).toThrow(/conv2d.*\[1, 3, 5, 5\].*\[2, 2, 3, 3\]/);
    expect(() => conv2d(r([1, 2, 2, 2], device), r([2, 2, 3, 3], device))).toThrow(ShapeError);
    expect(() => conv2d(r([1, 2, 4, 4], device), r([3, 2, 3, 3], device), r([2], device))).toThrow(ShapeError);
  });
});

/** PyTorch's pooled output size. */
function pooledSize(size: number, kernel: number, stride: number, padding: number, ceil: boolean, dilation = 1): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= size + padding) out--;
  return out;
}

async function directMaxPool(x: Tensor, k: number[], s: number[], p: number[], d: number[], ceil: boolean) {
  const [N, C, H, W] = x.shape;
  const data = await values(x);
  const OH = pooledSize(H, k[0], s[0], p[0], ceil, d[0]);
  const OW = pooledSize(W, k[1], s[1], p[1], ceil, d[1]);
  const out: number[] = [];
  const index: number[] = [];
  for (let nc = 0; nc < N * C; nc++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        let at = -1;
        for (let kh = 0; kh < k[0]; kh++) {
          for (let kw = 0; kw < k[1]; kw++) {
            const h = oh * s[0] - p[0] + kh * d[0];
            const w = ow * s[1] - p[1] + kw * d[1];
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const v = data[nc * H * W + h * W + w];
            if (v > best || at === -1) {
              best = v;
              at = h * W + w;
            }
          }
        }
        out.push(best);
        index.push(at);
      }
    }
  }
  return { out, index, shape: [N, C, OH, OW] };
}

async function directAvgPool(x: Tensor, k: number[], s: number[], p: number[], ceil: boolean, countIncludePad: boolean, divisorOverride?: number) {
  const [N, C, H, W] = x.shape;
  const data = await values(x);
  const OH = pooledSize(H, k[0], s[0], p[0], ceil);
  const OW = pooledSize(W, k[1], s[1], p[1], ceil);
  const out: number[] = [];
  for (let nc = 0; nc < N * C; nc++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let hStart = oh * s[0] - p[0];
        let wStart = ow * s[1] - p[1];
        let hEnd = Math.min(hStart + k[0], H + p[0]);
        let wEnd = Math.min(wStart + k[1], W + p[1]);
        const poolSize = (hEnd - hStart) * (wEnd - wStart);
        hStart = Math.max(hStart, 0);
        wStart = Math.max(wStart, 0);
        hEnd = Math.min(hEnd, H);
        wEnd = Math.min(wEnd, W);
        let total = 0;
        for (let h = hStart; h < hEnd; h++) for (let w = wStart; w < wEnd; w++) total += data[nc * H * W + h * W + w];
        const divisor = divisorOverride ?? (countIncludePad ? poolSize : (hEnd - hStart) * (wEnd - wStart));
        out.push(total / divisor);
      }
    }
  }
  return { out, shape: [N, C, OH, OW] };
}

describe.each(DEVICES)('pooling matches direct loops (%s)', (device) => {
  const maxCases: [string, number[], number[], number[], number[], number[], boolean][] = [
    ['2×2 stride 2', [2, 3, 6, 6], [2, 2], [2, 2], [0, 0], [1, 1], false],
    ['3×3 stride 2 padding 1', [1, 2, 7, 6], [3, 3], [2, 2], [1, 1], [1, 1], false],
    ['3×3 stride 2 ceil mode', [1, 2, 6, 6], [3, 3], [2, 2], [0, 0], [1, 1], true],
    ['ceil mode with padding', [1, 1, 5, 5], [2, 2], [2, 2], [1, 1], [1, 1], true],
    ['rectangular, dilation 2', [1, 2, 7, 8], [2, 3], [1, 2], [0, 1], [2, 2], false],
  ];
  for (const [name, shape, k, s, p, d, ceil] of maxCases) {
    it(`maxPool2d ${name}, with indices`, async () => {
      const x = r(shape, device);
      const { values: pooled, indices } = maxPool2dWithIndices(x, k as [number, number], {
        stride: s as [number, number], padding: p as [number, number], dilation: d as [number, number], ceilMode: ceil,
      });
      const expected = await directMaxPool(x, k, s, p, d, ceil);
      expect(pooled.shape).toEqual(expected.shape);
      expectAllClose(await values(pooled), expected.out, 1e-12);
      expect(indices.dtype).toBe('int32');
      expect(await values(indices)).toEqual(expected.index);
    });
  }

  it('maxPool2d defaults the stride to the kernel size and accepts [C, H, W]', async () => {
    const x = r([2, 4, 4], device);
    const y = maxPool2d(x, 2);
    expect(y.shape).toEqual([2, 2, 2]);
    expectAllClose(await values(y), (await directMaxPool(x.unsqueeze(0), [2, 2], [2, 2], [0, 0], [1, 1], false)).out, 0);
  });

  const avgCases: [string, number[], number[], number[], number[], boolean, boolean, number | undefined][] = [
    ['2×2 stride 2', [2, 2, 4, 6], [2, 2], [2, 2], [0, 0], false, true, undefined],
    ['padding, countIncludePad true', [1, 2, 5, 5], [3, 3], [2, 2], [1, 1], false, true, undefined],
    ['padding, countIncludePad false', [1, 2, 5, 5], [3, 3], [2, 2], [1, 1], false, false, undefined],
    ['divisorOverride', [1, 1, 4, 4], [2, 2], [1, 1], [1, 1], false, true, 3],
    ['ceil mode', [1, 2, 5, 5], [2, 2], [2, 2], [0, 0], true, true, undefined],
    ['ceil mode with padding, countIncludePad false', [1, 1, 6, 5], [3, 3], [2, 2], [1, 1], true, false, undefined],
    ['ceil mode with padding, countIncludePad true', [1, 1, 6, 5], [3, 3], [2, 2], [1, 1], true, true, undefined],
  ];
  for (const [name, shape, k, s, p, ceil, countIncludePad, divisorOverride] of avgCases) {
    it(`avgPool2d ${name}`, async () => {
      const x = r(shape, device);
      const y = avgPool2d(x, k as [number, number], {
        stride: s as [number, number], padding: p as [number, number], ceilMode: ceil, countIncludePad, divisorOverride,
      });
      const expected = await directAvgPool(x, k, s, p, ceil, countIncludePad, divisorOverride);
      expect(y.shape).toEqual(expected.shape);
      expectAllClose(await values(y), expected.out, 1e-12);
    });
  }

  it('pooling rejects integer inputs, wrong ranks and oversized padding', () => {
    expect(() => maxPool2d(tensor([[[[1]]]], { dtype: 'int32', device }), 1)).toThrow(DTypeError);
    expect(() => avgPool2d(r([4, 4], device), 2)).toThrow(ShapeError);
    expect(() => maxPool2d(r([1, 1, 4, 4], device), 2, { padding: 2 })).toThrow();
  });
});
