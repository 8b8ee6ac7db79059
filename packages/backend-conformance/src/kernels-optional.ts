/**
 * Optional kernels — softmax, logSoftmax, layerNorm, conv2d, maxPool2d, avgPool2d — checked only
 * when the backend implements them (a missing one is skipped: core then uses its composite).
 */
import { describe } from 'vitest';
import { LARGE_SHAPE, absoluteData, hostData, randomData, randomShape, sizeOf, type Rng, type ViewKind } from './generators';
import type { CheckContext, PairedInput, Suite } from './harness';
import { FLOAT_DTYPES } from './kernels-elementwise';
import { expectClose, productScale, reductionScale } from './tolerance';
import type { Conv2dParams, DType, Pool2dParams } from '@tessera/core/backend';

/** Edited host values of `dtype`: float16 is drawn as numbers and rounded to bits after the edit. */
const valueDType = (dtype: DType): DType => (dtype === 'float16' ? 'float64' : dtype);

/** Run softmax or logSoftmax on a contiguous input and compare. */
async function checkSoftmax(context: CheckContext, kernel: 'softmax' | 'logSoftmax', dtype: DType, input: PairedInput, axis: number): Promise<void> {
  const { session } = context;
  const shape = input.spec.shape;
  const out = session.output(dtype, shape);
  session.backend[kernel]!(input.plugin, axis, out.plugin);
  session.reference[kernel](input.reference, axis, out.reference);
  const { actual, expected } = await session.read(out);
  expectClose(actual, expected, `${kernel} (${dtype}) along axis ${axis} of ${input.spec.label}`, {
    tolerance: context.tolerance(dtype),
    scale: reductionScale(shape[axis] ?? 1),
    // log-probabilities are differences of O(|x|) terms; probabilities are judged relatively.
    magnitudeFloor: kernel === 'logSoftmax' ? 1 : 0,
    shape,
  });
}

/** A random contiguous softmax input, with some rows of huge or −∞ logits. */
function softmaxInput(context: CheckContext, dtype: DType, shape: readonly number[]): PairedInput {
  const { rng, session } = context;
  const data = randomData(rng, valueDType(dtype), sizeOf(shape), { kind: 'uniform', low: -6, high: 6 });
  for (let i = 0; i < data.length; i++) {
    if (rng.chance(0.03)) data[i] = rng.pick([1000, -1000, -Infinity]);
  }
  return session.contiguousInput(shape, dtype, dtype === 'float16' ? hostData(dtype, data) : data);
}

/** Run layerNorm with or without weight and bias and compare out, mean and rstd. */
async function checkLayerNorm(context: CheckContext, dtype: DType, shape: readonly number[], normalizedRank: number, affine: boolean): Promise<void> {
  const { session, rng } = context;
  const normalizedShape = shape.slice(shape.length - normalizedRank);
  const normalizedSize = sizeOf(normalizedShape);
  const rows = normalizedSize === 0 ? 0 : sizeOf(shape) / normalizedSize;
  const data = randomData(rng, valueDType(dtype), sizeOf(shape), { kind: 'uniform', low: -3, high: 3 });
  // A large common offset per row makes the variance computation's cancellation visible.
  for (let i = 0; i < data.length; i++) data[i] += Math.floor(i / Math.max(normalizedSize, 1)) % 3 === 1 ? 50 : 0;
  const x = session.contiguousInput(shape, dtype, dtype === 'float16' ? hostData(dtype, data) : data);
  const weight = affine ? session.randomInput(rng, [normalizedSize], 'contiguous', dtype, { kind: 'uniform', low: 0.5, high: 1.5 }) : null;
  const bias = affine ? session.randomInput(rng, [normalizedSize], 'contiguous', dtype, { kind: 'uniform', low: -1, high: 1 }) : null;
  const eps = rng.pick([1e-5, 1e-3]);
  const out = session.output(dtype, shape);
  const mean = session.output(dtype, [rows]);
  const rstd = session.output(dtype, [rows]);
  session.backend.layerNorm!(x.plugin, weight?.plugin ?? null, bias?.plugin ?? null, normalizedSize, eps, out.plugin, mean.plugin, rstd.plugin);
  session.reference.layerNorm(x.reference, weight?.reference ?? null, bias?.reference ?? null, normalizedSize, eps, out.reference, mean.reference, rstd.reference);
  const what = `layerNorm (${dtype}) of ${x.spec.label} over the last ${normalizedSize} elements${affine ? ' with weight and bias' : ''}`;
  const scale = reductionScale(normalizedSize);
  const tolerance = context.tolerance(dtype);
  // Normalised values lose accuracy in proportion to |mean| / std (here up to ~50 / 1.7).
  const outResult = await session.read(out);
  expectClose(outResult.actual, outResult.expected, `${what}: out`, { tolerance, scale: scale * 32, magnitudeFloor: 1, shape });
  const meanResult = await session.read(mean);
  expectClose(meanResult.actual, meanResult.expected, `${what}: mean`, { tolerance, scale, magnitudeFloor: 3 });
  const rstdResult = await session.read(rstd);
  expectClose(rstdResult.actual, rstdResult.expected, `${what}: rstd`, { tolerance, scale: scale * 32 });
}

/** Output size of one spatial dim of a convolution or pooling window. */
function windowOutput(size: number, kernel: number, stride: number, padding: number, dilation: number, ceilMode = false): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // PyTorch: the last window must start inside the input or the left padding.
  if ((out - 1) * stride >= size + padding) out--;
  return out;
}

/** A random conv2d case and its comparison; the error allowance grows with C/groups · KH · KW. */
async function checkConv2d(context: CheckContext, dtype: DType, caseRng: Rng, kind: ViewKind, sizes?: { batch: number; channels: number; height: number; width: number; outChannels: number; groups: number; kernel: [number, number] }): Promise<void> {
  const { session } = context;
  const groups = sizes?.groups ?? caseRng.pick([1, 1, 2, 3]);
  const channels = sizes?.channels ?? groups * caseRng.int(1, 3);
  const outChannels = sizes?.outChannels ?? groups * caseRng.int(1, 3);
  const kernel = sizes?.kernel ?? [caseRng.int(1, 4), caseRng.int(1, 4)];
  const params: Conv2dParams = {
    stride: sizes ? [1, 1] : [caseRng.int(1, 3), caseRng.int(1, 3)],
    padding: sizes ? [1, 1] : [caseRng.int(0, 2), caseRng.int(0, 2)],
    dilation: sizes ? [1, 1] : [caseRng.int(1, 2), caseRng.int(1, 2)],
    groups,
  };
  const minimum = (dim: 0 | 1) => Math.max(1, params.dilation[dim] * (kernel[dim] - 1) + 1 - 2 * params.padding[dim]);
  const height = sizes?.height ?? caseRng.int(minimum(0), minimum(0) + 8);
  const width = sizes?.width ?? caseRng.int(minimum(1), minimum(1) + 8);
  const batch = sizes?.batch ?? caseRng.int(1, 2);
  const outHeight = windowOutput(height, kernel[0], params.stride[0], params.padding[0], params.dilation[0]);
  const outWidth = windowOutput(width, kernel[1], params.stride[1], params.padding[1], params.dilation[1]);
  const domain = { kind: 'uniform', low: -1, high: 1 } as const;
  const x = session.randomInput(caseRng, [batch, channels, height, width], kind, dtype, domain);
  const weight = session.randomInput(caseRng, [outChannels, channels / groups, kernel[0], kernel[1]], 'contiguous', dtype, domain);
  const bias = caseRng.chance(0.6) ? session.randomInput(caseRng, [outChannels], 'contiguous', dtype, domain) : null;
  const outShape = [batch, outChannels, outHeight, outWidth];
  const out = session.output(dtype, outShape);
  session.backend.conv2d!(x.plugin, weight.plugin, bias?.plugin ?? null, params, out.plugin);
  session.reference.conv2d(x.reference, weight.reference, bias?.reference ?? null, params, out.reference);
  const { actual, expected } = await session.read(out);
  const magnitude = session.referenceOutput(dtype, outShape);
  session.reference.conv2d(
    session.uploadReference(x.spec, dtype, absoluteData(x.data)),
    session.uploadReference(weight.spec, dtype, absoluteData(weight.data)),
    bias ? session.uploadReference(bias.spec, dtype, absoluteData(bias.data)) : null,
    params,
    magnitude,
  );
  const description = `conv2d (${dtype}) x ${x.spec.label}, weight [${weight.spec.shape.join(', ')}], stride [${params.stride}], padding [${params.padding}], dilation [${params.dilation}], groups ${groups}`;
  expectClose(actual, expected, description, {
    tolerance: context.tolerance(dtype),
    scale: productScale((channels / groups) * kernel[0] * kernel[1]),
    magnitude: session.referenceData(magnitude),
    shape: outShape,
  });
}

/** A random pooling case (max with indices, or average with its divisor options). */
async function checkPool(context: CheckContext, kernelName: 'maxPool2d' | 'avgPool2d', dtype: DType, caseRng: Rng, kind: ViewKind, inputShape?: readonly number[]): Promise<void> {
  const { session } = context;
  const kernel: [number, number] = inputShape ? [3, 3] : [caseRng.int(1, 4), caseRng.int(1, 4)];
  const dilation: [number, number] = kernelName === 'maxPool2d' && !inputShape ? [caseRng.int(1, 2), caseRng.int(1, 2)] : [1, 1];
  const params: Pool2dParams = {
    kernelSize: kernel,
    stride: inputShape ? [2, 2] : [caseRng.int(1, 3), caseRng.int(1, 3)],
    // PyTorch allows padding up to half the kernel, so every window has an input element.
    padding: inputShape ? [1, 1] : [caseRng.int(0, Math.floor(kernel[0] / 2)), caseRng.int(0, Math.floor(kernel[1] / 2))],
    dilation,
    countIncludePad: caseRng.chance(0.5),
    divisorOverride: kernelName === 'avgPool2d' && caseRng.chance(0.2) ? caseRng.int(1, 9) : undefined,
  };
  const ceilMode = !inputShape && caseRng.chance(0.4);
  const minimum = (dim: 0 | 1) => dilation[dim] * (kernel[dim] - 1) + 1;
  const shape = inputShape ?? [caseRng.int(1, 2), caseRng.int(1, 3), caseRng.int(minimum(0), minimum(0) + 7), caseRng.int(minimum(1), minimum(1) + 7)];
  const outHeight = windowOutput(shape[2], kernel[0], params.stride[0], params.padding[0], dilation[0], ceilMode);
  const outWidth = windowOutput(shape[3], kernel[1], params.stride[1], params.padding[1], dilation[1], ceilMode);
  // Distinct values: which of two equal maxima a window reports is not part of the contract.
  const x = session.randomInput(caseRng, shape, kind, dtype, kernelName === 'maxPool2d' ? { kind: 'distinct' } : { kind: 'uniform', low: -2, high: 2 });
  const outShape = [shape[0], shape[1], outHeight, outWidth];
  const out = session.output(dtype, outShape);
  const description = `${kernelName} (${dtype}) of ${x.spec.label}, kernel [${kernel}], stride [${params.stride}], padding [${params.padding}], dilation [${dilation}]${ceilMode ? ', ceil mode' : ''}, countIncludePad ${params.countIncludePad}, divisorOverride ${params.divisorOverride}`;
  if (kernelName === 'maxPool2d') {
    const indices = session.output('int32', outShape);
    session.backend.maxPool2d!(x.plugin, params, out.plugin, indices.plugin);
    session.reference.maxPool2d(x.reference, params, out.reference, indices.reference);
    const values = await session.read(out);
    expectClose(values.actual, values.expected, `${description}: values`, { tolerance: null, shape: outShape });
    const positions = await session.read(indices);
    expectClose(positions.actual, positions.expected, `${description}: indices`, { tolerance: null, shape: outShape });
  } else {
    session.backend.avgPool2d!(x.plugin, params, out.plugin);
    session.reference.avgPool2d(x.reference, params, out.reference);
    const { actual, expected } = await session.read(out);
    expectClose(actual, expected, description, { tolerance: context.tolerance(dtype), scale: reductionScale(kernel[0] * kernel[1]), magnitudeFloor: 2, shape: outShape });
  }
}

/**
 * Declare the optional-kernel checks.
 * @example
 * describeOptionalKernels(suite);
 */
export function describeOptionalKernels(suite: Suite): void {
  const large = suite.options.large;
  describe('optional kernels', () => {
    for (const kernel of ['softmax', 'logSoftmax'] as const) {
      for (const dtype of FLOAT_DTYPES) {
        suite.check(
          `${kernel} along any axis matches the reference, stable for ±1000 and −∞ logits (${dtype})`,
          `${kernel}:${dtype}`,
          async (context) => {
            const { rng } = context;
            for (let rank = 1; rank <= 4; rank++) {
              for (let trial = 0; trial < 3; trial++) {
                const shape = randomShape(rng, rank, rank <= 2 ? 20 : 6);
                await checkSoftmax(context, kernel, dtype, softmaxInput(context, dtype, shape), rng.int(0, rank - 1));
              }
            }
            await checkSoftmax(context, kernel, dtype, softmaxInput(context, dtype, [3, 0, 2]), 2);
            await checkSoftmax(context, kernel, dtype, softmaxInput(context, dtype, [1]), 0);
            if (large && dtype !== 'float16') await checkSoftmax(context, kernel, dtype, softmaxInput(context, dtype, LARGE_SHAPE), rng.int(0, 1));
          },
          { dtype, kernel },
        );
      }
    }
    for (const dtype of FLOAT_DTYPES) {
      suite.check(
        `layerNorm normalises the trailing dims and reports each row's mean and rstd (${dtype})`,
        `layerNorm:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (let rank = 1; rank <= 4; rank++) {
            for (const affine of [false, true]) {
              await checkLayerNorm(context, dtype, randomShape(rng, rank, rank <= 2 ? 24 : 6), rng.int(1, rank), affine);
            }
          }
          await checkLayerNorm(context, dtype, [0, 5], 1, true);
          await checkLayerNorm(context, dtype, [3, 1], 1, true);
          if (large && dtype !== 'float16') await checkLayerNorm(context, dtype, LARGE_SHAPE, 1, true);
        },
        { dtype, kernel: 'layerNorm' },
      );
      suite.check(
        `conv2d matches the reference with stride, padding, dilation and groups (${dtype})`,
        `conv2d:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (const kind of ['contiguous', 'permuted', 'sliced', 'flipped', 'mixed'] as const) {
            for (let trial = 0; trial < 4; trial++) await checkConv2d(context, dtype, rng, kind);
          }
          await checkConv2d(context, dtype, rng, 'contiguous', { batch: 0, channels: 2, height: 5, width: 5, outChannels: 3, groups: 1, kernel: [3, 3] });
          if (large && dtype !== 'float16') {
            await checkConv2d(context, dtype, rng, 'permuted', { batch: 1, channels: 2, height: LARGE_SHAPE[0], width: LARGE_SHAPE[1] / 2 + 0.5, outChannels: 2, groups: 2, kernel: [3, 3] });
          }
        },
        { dtype, kernel: 'conv2d' },
      );
      for (const kernelName of ['maxPool2d', 'avgPool2d'] as const) {
        suite.check(
          kernelName === 'maxPool2d'
            ? `maxPool2d gives each window's maximum and its flat in-plane index h · W + w (${dtype})`
            : `avgPool2d averages each window, counting padding only when asked, honouring divisorOverride (${dtype})`,
          `${kernelName}:${dtype}`,
          async (context) => {
            const { rng } = context;
            // No broadcast layouts for max pooling: repeated values would make the reported index ambiguous.
            const kinds: readonly ViewKind[] = kernelName === 'maxPool2d' ? ['contiguous', 'permuted', 'sliced', 'flipped'] : ['contiguous', 'permuted', 'sliced', 'flipped', 'mixed'];
            for (const kind of kinds) {
              for (let trial = 0; trial < 5; trial++) await checkPool(context, kernelName, dtype, rng, kind);
            }
            if (large && dtype !== 'float16') await checkPool(context, kernelName, dtype, rng, 'contiguous', [1, 1, LARGE_SHAPE[0], LARGE_SHAPE[1]]);
          },
          { dtype, kernel: kernelName },
        );
      }
    }
  });
}
