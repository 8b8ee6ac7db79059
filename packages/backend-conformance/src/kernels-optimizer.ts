/**
 * The optional fused `optimizerStep` kernel: SGD (momentum, dampening, Nesterov, weight decay,
 * maximize, the buffer's first step) and Adam/AdamW (L2 or decoupled decay, AMSGrad, maximize) over
 * several consecutive steps, on parameters and state that sit at an offset inside larger buffers and
 * gradients of every view layout. After each step the whole of every in-place buffer — the updated
 * range and its untouched neighbours — must match the reference. Skipped when the backend lacks the kernel.
 */
import { describe } from 'vitest';
import { LARGE_SHAPE, VIEW_KINDS, layoutView, randomData, randomShape, sizeOf, type ValueDomain, type ViewKind } from './generators';
import type { CheckContext, Pair, PairedInput, Suite } from './harness';
import { expectClose } from './tolerance';
import type { AdamStepRequest, BufferRange, DType, SgdStepRequest } from '@tessera/core/backend';

const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64'];
const STEPS = 3;
/** A weight shaped [out, in] whose gradient ('permuted', rank 2) arrives transposed, as nn's Linear gets it. */
const LINEAR_WEIGHT = [21, 13] as const;

/** A parameter-sized range inside a larger buffer, on both backends. */
interface InPlaceBuffer extends Pair<BufferRange> {
  readonly input: PairedInput;
}

/** Upload random values to a buffer with a random margin before and after the range. */
function inPlaceBuffer(context: CheckContext, dtype: DType, size: number, domain: ValueDomain): InPlaceBuffer {
  const { rng, session } = context;
  const spec = layoutView([size], { start: [rng.int(0, 5)], end: [rng.int(0, 3)] }, 'contiguous');
  const input = session.upload(spec, dtype, randomData(rng, dtype, spec.bufferSize, domain));
  return { input, plugin: { id: input.plugin.id, offset: spec.offset }, reference: { id: input.reference.id, offset: spec.offset } };
}

/** Compare the whole buffer behind an in-place range (so writes outside the range are caught too). */
async function expectBuffer(context: CheckContext, buffer: InPlaceBuffer, what: string): Promise<void> {
  const { session } = context;
  const size = buffer.input.spec.bufferSize;
  const actual = await session.backend.read(buffer.plugin.id, buffer.input.dtype, 0, size);
  const expected = session.reference.readSync(buffer.reference.id, buffer.input.dtype, 0, size);
  // Parameters and moments are O(1); each step adds differences of O(1) terms.
  expectClose(actual, expected, `${what} (range at offset ${buffer.plugin.offset} of a buffer of ${size})`, {
    tolerance: context.tolerance(buffer.input.dtype),
    scale: 4,
    magnitudeFloor: 1,
  });
}

/** The gradient: a random view (any layout the backend accepts) of a random shape holding `size` elements. */
function gradient(context: CheckContext, dtype: DType, shape: readonly number[], kind: ViewKind): PairedInput {
  return context.session.randomInput(context.rng, shape, kind, dtype, { kind: 'uniform', low: -2, high: 2 });
}

type SgdFlags = Pick<SgdStepRequest, 'momentum' | 'dampening' | 'nesterov' | 'weightDecay' | 'maximize'>;

/** Every valid SGD combination (Nesterov needs momentum and no dampening). */
function sgdCombinations(): SgdFlags[] {
  const combinations: SgdFlags[] = [];
  for (const weightDecay of [0, 0.1]) {
    for (const maximize of [false, true]) {
      combinations.push({ momentum: 0, dampening: 0, nesterov: false, weightDecay, maximize });
      for (const [dampening, nesterov] of [[0, false], [0.3, false], [0, true]] as const) {
        combinations.push({ momentum: 0.9, dampening, nesterov, weightDecay, maximize });
      }
    }
  }
  return combinations;
}

type AdamFlags = Pick<AdamStepRequest, 'weightDecay' | 'decoupled' | 'amsgrad' | 'maximize'>;

/** Every Adam/AdamW combination: no decay, L2 decay, decoupled decay; × amsgrad × maximize. */
function adamCombinations(): AdamFlags[] {
  const combinations: AdamFlags[] = [];
  for (const [weightDecay, decoupled] of [[0, false], [0.1, false], [0.1, true]] as const) {
    for (const amsgrad of [false, true]) {
      for (const maximize of [false, true]) combinations.push({ weightDecay, decoupled, amsgrad, maximize });
    }
  }
  return combinations;
}

function describeFlags(flags: object): string {
  return Object.entries(flags).map(([name, value]) => `${name} ${String(value)}`).join(', ');
}

/** Run SGD with `flags` for a few steps (the first one initialising the buffer) and compare after each. */
async function checkSgd(context: CheckContext, dtype: DType, flags: SgdFlags, shape: readonly number[], kind: ViewKind): Promise<void> {
  const { session, rng } = context;
  const size = sizeOf(shape);
  const param = inPlaceBuffer(context, dtype, size, { kind: 'uniform', low: -2, high: 2 });
  const buffer = flags.momentum !== 0 ? inPlaceBuffer(context, dtype, size, { kind: 'uniform', low: -1, high: 1 }) : null;
  const lr = rng.pick([0.1, 0.01]);
  for (let step = 1; step <= STEPS; step++) {
    const grad = gradient(context, dtype, shape, kind);
    const base = { kind: 'sgd', dtype, size, lr, ...flags, firstStep: step === 1 } as const;
    session.backend.optimizerStep!({ ...base, param: param.plugin, grad: grad.plugin, momentumBuffer: buffer?.plugin ?? null });
    session.reference.optimizerStep({ ...base, param: param.reference, grad: grad.reference, momentumBuffer: buffer?.reference ?? null });
    const what = `optimizerStep sgd (${dtype}) step ${step}, ${describeFlags(flags)}, lr ${lr}, gradient ${grad.spec.label}`;
    await expectBuffer(context, param, `${what}: param`);
    if (buffer) await expectBuffer(context, buffer, `${what}: momentumBuffer`);
  }
}

/** Run Adam with `flags` for a few steps from step `firstStep` and compare after each. */
async function checkAdam(context: CheckContext, dtype: DType, flags: AdamFlags, shape: readonly number[], kind: ViewKind, firstStep = 1): Promise<void> {
  const { session, rng } = context;
  const size = sizeOf(shape);
  const param = inPlaceBuffer(context, dtype, size, { kind: 'uniform', low: -2, high: 2 });
  const fresh = firstStep === 1;
  // On the first step the moments are zero (as an optimizer creates them); later they hold earlier steps.
  const expAvg = inPlaceBuffer(context, dtype, size, fresh ? { kind: 'choices', values: [0] } : { kind: 'uniform', low: -1, high: 1 });
  const expAvgSq = inPlaceBuffer(context, dtype, size, fresh ? { kind: 'choices', values: [0] } : { kind: 'positive', low: 1e-6, high: 2 });
  const maxExpAvgSq = flags.amsgrad ? inPlaceBuffer(context, dtype, size, fresh ? { kind: 'choices', values: [0] } : { kind: 'positive', low: 1e-6, high: 2 }) : null;
  const [beta1, beta2] = rng.pick([[0.9, 0.999], [0.8, 0.6]] as const);
  const eps = rng.pick([1e-8, 1e-3]);
  const lr = rng.pick([0.1, 1e-3]);
  for (let step = firstStep; step < firstStep + STEPS; step++) {
    const grad = gradient(context, dtype, shape, kind);
    const base = {
      kind: 'adam', dtype, size, lr, beta1, beta2, eps, ...flags,
      biasCorrection1: 1 - beta1 ** step, biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step),
    } as const;
    session.backend.optimizerStep!({
      ...base, param: param.plugin, grad: grad.plugin, expAvg: expAvg.plugin, expAvgSq: expAvgSq.plugin, maxExpAvgSq: maxExpAvgSq?.plugin ?? null,
    });
    session.reference.optimizerStep({
      ...base, param: param.reference, grad: grad.reference, expAvg: expAvg.reference, expAvgSq: expAvgSq.reference, maxExpAvgSq: maxExpAvgSq?.reference ?? null,
    });
    const what = `optimizerStep adam (${dtype}) step ${step}, ${describeFlags(flags)}, betas [${beta1}, ${beta2}], eps ${eps}, lr ${lr}, gradient ${grad.spec.label}`;
    await expectBuffer(context, param, `${what}: param`);
    await expectBuffer(context, expAvg, `${what}: expAvg`);
    await expectBuffer(context, expAvgSq, `${what}: expAvgSq`);
    if (maxExpAvgSq) await expectBuffer(context, maxExpAvgSq, `${what}: maxExpAvgSq`);
  }
}

/**
 * Declare the optimizerStep checks (one per kind and dtype).
 * @example
 * describeOptimizerKernel(suite);
 */
export function describeOptimizerKernel(suite: Suite): void {
  const large = suite.options.large;
  describe('optional kernels: optimizerStep', () => {
    for (const dtype of FLOAT_DTYPES) {
      suite.check(
        `optimizerStep sgd: momentum, dampening, Nesterov, weight decay, maximize, first and later steps (${dtype})`,
        `optimizerStep.sgd:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (const [index, flags] of sgdCombinations().entries()) {
            await checkSgd(context, dtype, flags, randomShape(rng, rng.int(1, 3), 9), VIEW_KINDS[index % VIEW_KINDS.length]);
          }
          // A Linear weight's gradient: [out, in] stored transposed (strides [1, out]); 21 rows = a 16-row block and a rest.
          await checkSgd(context, dtype, { momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 0.01, maximize: false }, LINEAR_WEIGHT, 'permuted');
          await checkSgd(context, dtype, { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: true }, LINEAR_WEIGHT, 'permuted');
          if (large) await checkSgd(context, dtype, { momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.1, maximize: false }, LARGE_SHAPE, 'contiguous');
        },
        { dtype, kernel: 'optimizerStep' },
      );
      suite.check(
        `optimizerStep adam: L2 or decoupled (AdamW) decay, AMSGrad, maximize, first and later steps (${dtype})`,
        `optimizerStep.adam:${dtype}`,
        async (context) => {
          const { rng } = context;
          for (const [index, flags] of adamCombinations().entries()) {
            const kind = VIEW_KINDS[index % VIEW_KINDS.length];
            await checkAdam(context, dtype, flags, randomShape(rng, rng.int(1, 3), 9), kind);
            await checkAdam(context, dtype, flags, randomShape(rng, rng.int(1, 3), 9), kind, rng.int(5, 2000));
          }
          await checkAdam(context, dtype, { weightDecay: 0.01, decoupled: true, amsgrad: true, maximize: false }, LINEAR_WEIGHT, 'permuted', 3);
          if (large) await checkAdam(context, dtype, { weightDecay: 0.01, decoupled: true, amsgrad: true, maximize: false }, LARGE_SHAPE, 'contiguous', 10);
        },
        { dtype, kernel: 'optimizerStep' },
      );
    }
  });
}
