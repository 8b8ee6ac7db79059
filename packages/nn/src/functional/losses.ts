/**
 * Loss functions with PyTorch's semantics and `reduction: 'mean' | 'sum' | 'none'` (default `'mean'`).
 * Under core's `autocast` they compute in float32, as on PyTorch's autocast float32 list; binaryCrossEntropy,
 * which PyTorch bans there, is refused.
 */
import { autocastActive, autocastOp, tidy, DTypeError, ShapeError, ValueError, isFloating, type Tensor } from '@tessera/core';
import { logOnePlusExp } from './activations';
import { expectFloating, expectIndicesInRange, expectInt, expectSameShape, shapeText } from './checks';

/** How a loss combines per-element losses: their mean (default), their sum, or none (per-element). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options shared by every loss. */
export interface ReductionOptions {
  /** `'mean'` (default), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

function checkReduction(op: string, reduction: Reduction): void {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

function reduce(losses: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return losses;
  return reduction === 'sum' ? losses.sum() : losses.mean();
}

function pointwiseInputs(op: string, input: Tensor, target: Tensor, reduction: Reduction): void {
  checkReduction(op, reduction);
  expectFloating(op, 'input', input);
  expectFloating(op, 'target', target);
  expectSameShape(op, input, target);
}

/**
 * Mean squared error: mean((input − target)²). Shapes must match (PyTorch would broadcast with a warning).
 * @example
 * mseLoss(tensor([1, 2]), tensor([1, 4])); // 2
 */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('mseLoss', 'float32', [input, target, options], mseLoss);
  const reduction = options.reduction ?? 'mean';
  pointwiseInputs('mseLoss', input, target, reduction);
  return tidy(() => {
    const diff = input.sub(target);
    return reduce(diff.mul(diff), reduction);
  });
}

/**
 * Mean absolute error: mean(|input − target|).
 * @example
 * l1Loss(tensor([1, 2]), tensor([1, 4])); // 1
 */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('l1Loss', 'float32', [input, target, options], l1Loss);
  const reduction = options.reduction ?? 'mean';
  pointwiseInputs('l1Loss', input, target, reduction);
  return tidy(() => reduce(input.sub(target).abs(), reduction));
}

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** Per-element rescaling, broadcast against the input. */
  weight?: Tensor | null;
}

// PyTorch clamps each log term at −100 so that a probability of exactly 0 or 1 gives a finite loss.
const LOG_FLOOR = -100;
const PROBABILITY_FLOOR = Math.exp(LOG_FLOOR);

/** max(ln p, −100), with no gradient where the floor applies (and no 0·∞ there). */
function clampedLog(p: Tensor): Tensor {
  const above = p.gt(PROBABILITY_FLOOR);
  return p.where(above, 1).log().where(above, LOG_FLOOR);
}

/**
 * Binary cross-entropy of probabilities — the course's log-loss:
 * −mean(y·ln p + (1 − y)·ln(1 − p)), each log clamped at −100 as PyTorch does.
 * @example
 * binaryCrossEntropy(tensor([0.6, 0.8, 0.9, 0.7]), tensor([1, 0, 0, 1]), { reduction: 'sum' }); // −ln .6 − ln .2 − ln .1 − ln .7 ≈ 4.78
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  if (autocastActive()) {
    // PyTorch bans it under autocast: float16 probabilities from a sigmoid lose the tails the log needs.
    throw new ValueError(
      'binaryCrossEntropy: unsafe to autocast (float16 probabilities saturate at 0 and 1); combine the sigmoid with the loss ' +
        'in binaryCrossEntropyWithLogits (BCEWithLogitsLoss), which is safe under autocast, or compute this loss outside the autocast region',
    );
  }
  const reduction = options.reduction ?? 'mean';
  pointwiseInputs('binaryCrossEntropy', input, target, reduction);
  return tidy(() => {
    const positive = target.mul(clampedLog(input));
    const negative = target.neg().add(1).mul(clampedLog(input.neg().add(1)));
    let losses = positive.add(negative).neg();
    if (options.weight) losses = losses.mul(options.weight);
    return reduce(losses, reduction);
  });
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive examples, per class (broadcast along the last dim): > 1 raises recall. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits x (sigmoid folded in), stable for logits of any size:
 * max(x, 0) − x·y + log(1 + e^(−|x|)); with `posWeight` pw: (1 − y)·x + (1 + (pw − 1)·y)·log(1 + e^(−x)).
 * @example
 * binaryCrossEntropyWithLogits(tensor([1000, -1000]), tensor([1, 0])); // 0
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('binaryCrossEntropyWithLogits', 'float32', [input, target, options], binaryCrossEntropyWithLogits);
  const reduction = options.reduction ?? 'mean';
  pointwiseInputs('binaryCrossEntropyWithLogits', input, target, reduction);
  return tidy(() => {
    // log(1 + e^(−x)) = −log σ(x), computed without overflow.
    const softplusNeg = logOnePlusExp(input.neg());
    const scale = options.posWeight ? options.posWeight.sub(1).mul(target).add(1) : null;
    let losses = target.neg().add(1).mul(input).add(scale ? softplusNeg.mul(scale) : softplusNeg);
    if (options.weight) losses = losses.mul(options.weight);
    return reduce(losses, reduction);
  });
}

/** Options of {@link nllLoss}. */
export interface NllLossOptions extends ReductionOptions {
  /** Per-class weights `[C]`; the mean divides by the sum of the weights of the targets. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing, not even to the mean's denominator (default −100). */
  ignoreIndex?: number;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** ε ∈ [0, 1]: mix the target with the uniform distribution, (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

interface ClassLayout {
  classDim: number;
  classes: number;
}

function classLayout(op: string, input: Tensor): ClassLayout {
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have a class dim: [C], [N, C] or [N, C, d1, …], got a 0-d tensor`);
  const classDim = input.ndim === 1 ? 0 : 1;
  return { classDim, classes: input.shape[classDim] };
}

function checkWeight(op: string, weight: Tensor | null | undefined, classes: number): void {
  if (!weight) return;
  expectFloating(op, 'weight', weight);
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new ShapeError(`${op}: weight must have one entry per class, shape [${classes}], got ${shapeText(weight.shape)}`);
  }
}

function checkIndexTarget(op: string, input: Tensor, target: Tensor, layout: ClassLayout, ignoreIndex: number): void {
  const expected = input.shape.filter((_, d) => d !== layout.classDim);
  if (target.ndim !== expected.length || target.shape.some((size, d) => size !== expected[d])) {
    throw new ShapeError(
      `${op}: target of shape ${shapeText(target.shape)} does not fit input ${shapeText(input.shape)}: ` +
        `expected class indices of shape ${shapeText(expected)}` +
        (op === 'crossEntropy' ? ` or class probabilities of shape ${shapeText(input.shape)}` : ''),
    );
  }
  expectIndicesInRange(op, 'target class index', target, layout.classes, ignoreIndex);
}

/** `[C]` → `[C, 1, …]` so it broadcasts along the class dim of `input`. */
function alongClassDim(weight: Tensor, input: Tensor, layout: ClassLayout): Tensor {
  return weight.reshape(input.shape.map((size, d) => (d === layout.classDim ? size : 1)));
}

interface IndexedTerms {
  /** −w[t]·logp[t] per position, 0 where ignored. */
  losses: Tensor;
  /** w[t] per position (1 without weights), 0 where ignored: the weighted-mean denominator. */
  weights: Tensor;
  valid: Tensor;
}

function indexedTerms(logProbs: Tensor, target: Tensor, layout: ClassLayout, weight: Tensor | null, ignoreIndex: number): IndexedTerms {
  const valid = target.ne(ignoreIndex);
  const safeTarget = target.where(valid, 0);
  const picked = logProbs.gather(layout.classDim, safeTarget.unsqueeze(layout.classDim)).squeeze(layout.classDim);
  const classWeights = weight ? weight.indexSelect(0, safeTarget.reshape([-1])).reshape(target.shape) : null;
  const weights = (classWeights ?? valid.cast(logProbs.dtype)).where(valid, 0);
  const losses = (classWeights ? picked.mul(classWeights) : picked).neg().where(valid, 0);
  return { losses, weights, valid };
}

/**
 * Whether no target equals `ignoreIndex`, known from the values themselves (read synchronously, as the
 * range check just did); false when they cannot be read synchronously (e.g. webgpu).
 */
function noneIgnored(target: Tensor, ignoreIndex: number): boolean {
  return target.canReadSync && !target.dataSync().includes(ignoreIndex);
}

/**
 * The unweighted loss when every target counts: −logp[t] per position, and the mean divides by the
 * number of positions. Equal, value for value and in its gradient, to the masked {@link indexedTerms}
 * path (its masks would all be true and its weights all 1), in three ops instead of eleven — the
 * training loop's common case.
 */
function unmaskedNll(logProbs: Tensor, target: Tensor, layout: ClassLayout, reduction: Reduction): Tensor {
  const picked = logProbs.gather(layout.classDim, target.unsqueeze(layout.classDim));
  if (reduction === 'none') return picked.squeeze(layout.classDim).neg();
  // Σ(−p) = −Σp and (Σp)/(−n) = −(Σp/n) exactly, so this rounds as the masked path does.
  return reduction === 'sum' ? picked.sum().neg() : picked.sum().div(-target.size);
}

function reduceWeighted(losses: Tensor, weights: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return losses;
  if (reduction === 'sum') return losses.sum();
  return losses.sum().div(weights.sum());
}

/**
 * Negative log-likelihood of log-probabilities `input` (`[C]`, `[N, C]` or `[N, C, d1, …]`) at int32
 * class indices `target`: −w[t]·input[t]. The mean is weighted: Σ losses / Σ w[t] over non-ignored targets.
 * With `input = p.log()` and `reduction: 'sum'` this is the course's multi-class cross-entropy −Σ ln pᵢ(yᵢ).
 * @example
 * nllLoss(probs.log(), tensor([0, 2], { dtype: 'int32' }));
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('nllLoss', 'float32', [input, target, options], nllLoss);
  const reduction = options.reduction ?? 'mean';
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkReduction('nllLoss', reduction);
  expectFloating('nllLoss', 'input', input);
  const layout = classLayout('nllLoss', input);
  expectInt('nllLoss', 'target', target);
  checkWeight('nllLoss', options.weight, layout.classes);
  checkIndexTarget('nllLoss', input, target, layout, ignoreIndex);
  return tidy(() => {
    const { losses, weights } = indexedTerms(input, target, layout, options.weight ?? null, ignoreIndex);
    return reduceWeighted(losses, weights, reduction);
  });
}

/**
 * Cross-entropy of logits `input` (`[C]`, `[N, C]` or `[N, C, d1, …]`; log-softmax is applied along the
 * class dim) with either int32 class indices (shape without the class dim) or class probabilities (the
 * input's shape). Supports per-class `weight`, `ignoreIndex` (indices only) and `labelSmoothing` ε:
 * (1 − ε)·nll + ε/C·Σ_c −w_c·log p_c. Matches PyTorch, including its weighted mean.
 * @example
 * crossEntropy(logits, tensor([1, 0], { dtype: 'int32' }), { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('crossEntropy', 'float32', [input, target, options], crossEntropy);
  const reduction = options.reduction ?? 'mean';
  const ignoreIndex = options.ignoreIndex ?? -100;
  const smoothing = options.labelSmoothing ?? 0;
  checkReduction('crossEntropy', reduction);
  expectFloating('crossEntropy', 'input', input);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], got ${smoothing}`);
  const layout = classLayout('crossEntropy', input);
  const weight = options.weight ?? null;
  checkWeight('crossEntropy', weight, layout.classes);
  const classes = layout.classes;

  if (isFloating(target.dtype)) {
    // Class probabilities (soft labels).
    if (target.ndim !== input.ndim || target.shape.some((size, d) => size !== input.shape[d])) {
      throw new ShapeError(
        `crossEntropy: target of shape ${shapeText(target.shape)} does not fit input ${shapeText(input.shape)}: ` +
          `class probabilities must have the input's shape (or pass int32 class indices of shape ${shapeText(input.shape.filter((_, d) => d !== layout.classDim))})`,
      );
    }
    return tidy(() => {
      const logProbs = input.logSoftmax(layout.classDim);
      const smoothed = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / classes) : target;
      const weighted = weight ? logProbs.mul(alongClassDim(weight, input, layout)) : logProbs;
      const losses = weighted.mul(smoothed).sum(layout.classDim).neg();
      if (reduction === 'mean') return losses.sum().div(input.size / classes);
      return reduce(losses, reduction);
    });
  }

  if (target.dtype !== 'int32') {
    throw new DTypeError(`crossEntropy: target must be int32 class indices or floating class probabilities, got ${target.dtype} of shape ${shapeText(target.shape)}`);
  }
  checkIndexTarget('crossEntropy', input, target, layout, ignoreIndex);
  if (!weight && smoothing === 0 && noneIgnored(target, ignoreIndex)) {
    return tidy(() => unmaskedNll(input.logSoftmax(layout.classDim), target, layout, reduction));
  }
  return tidy(() => {
    const logProbs = input.logSoftmax(layout.classDim);
    const { losses, weights, valid } = indexedTerms(logProbs, target, layout, weight, ignoreIndex);
    const nll = reduceWeighted(losses, weights, reduction);
    if (smoothing === 0) return nll;
    const weighted = weight ? logProbs.mul(alongClassDim(weight, input, layout)) : logProbs;
    const smooth = weighted.sum(layout.classDim).neg().where(valid, 0);
    const smoothReduced = reduceWeighted(smooth, weights, reduction);
    return nll.mul(1 - smoothing).add(smoothReduced.mul(smoothing / classes));
  });
}
