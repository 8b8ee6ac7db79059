import { describe, expect, it } from 'vitest';
import { expectClose, randomValues, setup } from './helpers';

describe('softmax and logSoftmax', () => {
  it('softmax is invariant to adding a constant and sums to 1', () => {
    const { backend, input, output, read } = setup();
    const values = [1, 2, 3, 1000, 1001, 1002];
    const out = output([2, 3], 'float64');
    backend.softmax(input(values, [2, 3], 'float64'), 1, out);
    const result = read(out);
    expectClose(result.slice(0, 3), result.slice(3), 1e-15);
    expect(Math.abs(result[0] + result[1] + result[2] - 1)).toBeLessThan(1e-15);
  });

  it('logSoftmax along axis 0 equals log of softmax', () => {
    const { backend, input, output, read } = setup();
    const x = input(randomValues(12, 8), [3, 4], 'float64');
    const soft = output([3, 4], 'float64');
    const logSoft = output([3, 4], 'float64');
    backend.softmax(x, 0, soft);
    backend.logSoftmax(x, 0, logSoft);
    expectClose(read(logSoft), read(soft).map(Math.log), 1e-14);
  });
});

describe('layerNorm', () => {
  it('normalises rows and writes mean and rstd', () => {
    const { backend, input, output, read } = setup();
    const values = randomValues(8, 9);
    const weight = [1, 2, 3, 4];
    const bias = [0.5, 0, -0.5, 1];
    const out = output([2, 4], 'float64');
    const mean = output([2], 'float64');
    const rstd = output([2], 'float64');
    backend.layerNorm(input(values, [2, 4], 'float64'), input(weight, [4], 'float64'), input(bias, [4], 'float64'), 4, 1e-5, out, mean, rstd);
    const expected: number[] = [];
    const means: number[] = [];
    const rstds: number[] = [];
    for (let row = 0; row < 2; row++) {
      const slice = values.slice(row * 4, row * 4 + 4);
      const mu = slice.reduce((s, v) => s + v, 0) / 4;
      const variance = slice.reduce((s, v) => s + (v - mu) ** 2, 0) / 4;
      const r = 1 / Math.sqrt(variance + 1e-5);
      means.push(mu);
      rstds.push(r);
      slice.forEach((v, i) => expected.push((v - mu) * r * weight[i] + bias[i]));
    }
    expectClose(read(out), expected, 1e-12);
    expectClose(read(mean), means, 1e-14);
    expectClose(read(rstd), rstds, 1e-12);
  });
});

/** Direct 7-loop convolution in float64. */
function referenceConv(
  x: number[], [batch, channels, height, width]: number[], w: number[], [outChannels, groupChannels, kernelH, kernelW]: number[],
  bias: number[] | null, stride: number[], padding: number[], dilation: number[], groups: number,
): { values: number[]; shape: number[] } {
  const outH = Math.floor((height + 2 * padding[0] - dilation[0] * (kernelH - 1) - 1) / stride[0]) + 1;
  const outW = Math.floor((width + 2 * padding[1] - dilation[1] * (kernelW - 1) - 1) / stride[1]) + 1;
  const perGroup = outChannels / groups;
  const values: number[] = [];
  for (let n = 0; n < batch; n++)
    for (let o = 0; o < outChannels; o++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++) {
          let sum = bias ? bias[o] : 0;
          const group = Math.floor(o / perGroup);
          for (let c = 0; c < groupChannels; c++)
            for (let kh = 0; kh < kernelH; kh++)
              for (let kw = 0; kw < kernelW; kw++) {
                const h = oh * stride[0] - padding[0] + kh * dilation[0];
                const wi = ow * stride[1] - padding[1] + kw * dilation[1];
                if (h < 0 || h >= height || wi < 0 || wi >= width) continue;
                const channel = group * groupChannels + c;
                sum += x[((n * channels + channel) * height + h) * width + wi] * w[((o * groupChannels + c) * kernelH + kh) * kernelW + kw];
              }
          values.push(sum);
        }
  return { values, shape: [batch, outChannels, outH, outW] };
}

describe('conv2d', () => {
  const cases = [
    { name: 'plain 3×3', x: [2, 3, 7, 6], w: [4, 3, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: false },
    { name: 'stride 2, padding 1, bias', x: [1, 2, 9, 8], w: [3, 2, 3, 2], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1, bias: true },
    { name: 'groups 2 with dilation 2 and asymmetric stride', x: [2, 4, 10, 9], w: [6, 2, 3, 3], stride: [1, 2], padding: [2, 1], dilation: [2, 2], groups: 2, bias: true },
    { name: 'depthwise (groups = channels)', x: [1, 3, 5, 5], w: [3, 1, 2, 2], stride: [1, 1], padding: [1, 0], dilation: [1, 1], groups: 3, bias: false },
  ];
  for (const spec of cases) {
    it(`${spec.name} matches the direct 7-loop reference`, () => {
      const { backend, input, output, read } = setup();
      const xValues = randomValues(spec.x.reduce((p, d) => p * d, 1), 41);
      const wValues = randomValues(spec.w.reduce((p, d) => p * d, 1), 42);
      const biasValues = spec.bias ? randomValues(spec.w[0], 43) : null;
      const expected = referenceConv(xValues, spec.x, wValues, spec.w, biasValues, spec.stride, spec.padding, spec.dilation, spec.groups);
      const out = output(expected.shape, 'float64');
      backend.conv2d(
        input(xValues, spec.x, 'float64'), input(wValues, spec.w, 'float64'), biasValues && input(biasValues, [spec.w[0]], 'float64'),
        { stride: spec.stride as [number, number], padding: spec.padding as [number, number], dilation: spec.dilation as [number, number], groups: spec.groups },
        out,
      );
      expectClose(read(out), expected.values, 1e-12);
    });
  }
});

describe('pooling', () => {
  const params = (kernelSize: [number, number], stride: [number, number], padding: [number, number], extra = {}) => ({
    kernelSize, stride, padding, dilation: [1, 1] as [number, number], countIncludePad: true, ...extra,
  });

  it('maxPool2d returns maxima and flat plane indices, never selecting padding', () => {
    const { backend, input, output, read } = setup();
    const x = input([-1, -2, -3, -4, -5, -6, -7, -8, -9], [1, 1, 3, 3]);
    const out = output([1, 1, 2, 2]);
    const indices = output([1, 1, 2, 2], 'int32');
    backend.maxPool2d(x, params([2, 2], [2, 2], [1, 1]), out, indices);
    expect(read(out)).toEqual([-1, -2, -4, -5]);
    expect(read(indices)).toEqual([0, 1, 3, 4]);
  });

  it('maxPool2d with dilation 2 reads spaced windows', () => {
    const { backend, input, output, read } = setup();
    const x = input(Array.from({ length: 16 }, (_, i) => (i * 7) % 16), [1, 1, 4, 4]);
    const out = output([1, 1, 2, 2]);
    const indices = output([1, 1, 2, 2], 'int32');
    backend.maxPool2d(x, { ...params([2, 2], [1, 1], [0, 0]), dilation: [2, 2] }, out, indices);
    // window (0,0) covers flat 0, 2, 8, 10 → values 0, 14, 8, 6.
    expect(read(out)[0]).toBe(14);
    expect(read(indices)[0]).toBe(2);
  });

  it('avgPool2d divides by the padded window, the real window, or the override', () => {
    const { backend, input, output, read } = setup();
    const x = input([1, 2, 3, 4], [1, 1, 2, 2]);
    const include = output([1, 1, 2, 2]);
    const exclude = output([1, 1, 2, 2]);
    const override = output([1, 1, 2, 2]);
    backend.avgPool2d(x, params([2, 2], [1, 1], [1, 1]), include);
    backend.avgPool2d(x, params([2, 2], [1, 1], [1, 1], { countIncludePad: false }), exclude);
    backend.avgPool2d(x, params([2, 2], [1, 1], [1, 1], { divisorOverride: 2 }), override);
    expect(read(include)).toEqual([0.25, 0.75, 1, 2.5]);
    expect(read(exclude)).toEqual([1, 1.5, 2, 2.5]);
    expect(read(override)).toEqual([0.5, 1.5, 2, 5]);
  });
});
