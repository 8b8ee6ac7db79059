/**
 * In-place ops (`x.add_(y)`, `x.relu_()`, …) with PyTorch's autograd rules:
 * - the new value is computed out of place, then written into the tensor's storage (every view sees
 *   it) and the storage's version counter is bumped, so backward refuses saved data written since;
 * - other operands broadcast into the tensor's shape, never grow it; the result dtype must be castable
 *   to the tensor's dtype (no float → int32, nothing → bool), as PyTorch checks;
 * - while autograd records, a leaf that requires grad (or a view of one) is refused; on any other
 *   tensor the op's node becomes the tensor's `gradFn` ("rebasing" its history), so gradients through
 *   the modified tensor stay correct. Hooks stay with the history they were registered on; `retainGrad`
 *   moves to the new one. Other handles of the storage (the base of a modified view, sibling views)
 *   catch up when next used (autograd/view-history.ts).
 */
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { recordOp } from '../autograd/record';
import { refreshHistory } from '../autograd/view-history';
import type { GradNode } from '../autograd/node';
import { isFloating } from '../dtype';
import { AutogradError, DTypeError, ShapeError, ValueError } from '../errors';
import type { DType } from '../backend/backend';
import { broadcastShapes, formatShape, shapesEqual } from '../shape';
import { Tensor, type TensorOrScalar } from '../tensor/tensor';
import * as binary from './binary';
import { castTo } from './cast';
import { full } from './creation';
import { backendOf, broadcastView, viewOf } from './dispatch';
import { checkFitsDType } from './dtype-range';
import { maskedFill } from './indexing';
import { clamp, gradientFromOutput, unaryOp } from './unary';
import { clone, expand } from './view';

function describe(self: Tensor): string {
  return `tensor #${self.id} of shape ${formatShape(self.shape)} (${self.dtype})`;
}

/** PyTorch's can_cast for in-place results: no floating → integer, nothing else → bool. */
function canCast(from: DType, to: DType): boolean {
  if (isFloating(from) && !isFloating(to)) return false;
  return to !== 'bool' || from === 'bool';
}

function refuseLeafWrite(op: string, self: Tensor): void {
  if (self.requiresGrad && self.isLeaf) {
    throw new AutogradError(
      `${op}: ${describe(self)} is a leaf that requires grad; it cannot be modified in place while autograd records ` +
        '(its gradient would be for a value that no longer exists). Update parameters inside noGrad(() => …), or clone() it first',
    );
  }
  if (!self.isLeaf && self.storage.ofLeafRequiringGrad) {
    throw new AutogradError(
      `${op}: ${describe(self)} is a view of a leaf that requires grad; it cannot be modified in place while autograd records. ` +
        'Modify it inside noGrad(() => …), or clone() it first',
    );
  }
}

function refuseOverlap(op: string, self: Tensor): void {
  if (self.shape.some((size, d) => size > 1 && self.strides[d] === 0)) {
    throw new ValueError(
      `${op}: ${describe(self)} is an expanded view in which several elements share one memory location, so it cannot be ` +
        'written in place; clone() it first',
    );
  }
}

/** Make `node` the history of `self`, whose data now is that node's output. */
function rebase(self: Tensor, node: GradNode): void {
  const previous = self.gradFn;
  node.retain();
  self.attachGradFn(node);
  if (previous?.retainedFor?.deref() === self) {
    node.retainedFor = previous.retainedFor;
    previous.retainedFor = null;
  }
  // Other handles of this storage (a base, other views) catch up from this record when next used.
  self.historyAt = self.storage.logRebase(self, node);
}

/** Bring the out-of-place result to `self`'s shape and dtype, or explain why it does not fit. */
function fitResult(op: string, self: Tensor, result: Tensor): Tensor {
  let fitted = result;
  try {
    if (!canCast(fitted.dtype, self.dtype)) {
      throw new DTypeError(`${op}: result type ${fitted.dtype} can't be cast to the ${self.dtype} of ${describe(self)}, which is modified in place`);
    }
    if (!shapesEqual(fitted.shape, self.shape)) {
      const shape = broadcastShapes(op, fitted.shape, self.shape);
      if (!shapesEqual(shape, self.shape)) {
        throw new ShapeError(
          `${op}: the result has shape ${formatShape(fitted.shape)}, which does not fit ${describe(self)} (an in-place op ` +
            "broadcasts its other operands into the tensor's shape only)",
        );
      }
      fitted = expand(fitted, self.shape);
      result.dispose();
    }
    if (fitted.dtype !== self.dtype) {
      const cast = castTo(fitted, self.dtype);
      fitted.dispose();
      fitted = cast;
    }
    return fitted;
  } catch (error) {
    fitted.dispose();
    throw error;
  }
}

/**
 * Run an in-place op: `compute(input)` returns the new value out of place (recording as usual).
 * `input` is `self`, or — when `savesInput`, i.e. the out-of-place op saves its input for backward — a
 * recorded clone, so writing into `self` does not change what backward reads.
 */
function inPlace(op: string, self: Tensor, others: readonly TensorOrScalar[], savesInput: boolean, compute: (input: Tensor) => Tensor): Tensor {
  const backend = backendOf(op, [self, ...others.filter((other): other is Tensor => other instanceof Tensor)]);
  if (isGradEnabled()) refreshHistory(self);
  const recording = isGradEnabled() && (self.requiresGrad || others.some((other) => other instanceof Tensor && other.requiresGrad));
  if (recording) refuseLeafWrite(op, self);
  refuseOverlap(op, self);
  const input = recording && savesInput ? clone(self) : self;
  let result: Tensor;
  try {
    result = fitResult(op, self, compute(input));
  } finally {
    if (input !== self) input.dispose();
  }
  try {
    if (self.size > 0) backend.assign(viewOf(self), broadcastView(result, self.shape));
    self.storage.bumpVersion(op);
    if (recording && result.gradFn) rebase(self, result.gradFn);
  } finally {
    result.dispose();
  }
  return self;
}

/** Options of {@link add_} and {@link sub_}. */
export interface AlphaOptions {
  /** Multiplier of `other` (PyTorch's `alpha`; default 1). */
  alpha?: number;
}

function scaled(other: TensorOrScalar, alpha: number | undefined, use: (value: TensorOrScalar) => Tensor): Tensor {
  if (alpha === undefined || alpha === 1) return use(other);
  if (!(other instanceof Tensor)) return use(Number(other) * alpha);
  const product = binary.mul(other, alpha);
  try {
    return use(product);
  } finally {
    product.dispose();
  }
}

/**
 * `self += alpha · other` in place (broadcasting `other` into `self`'s shape).
 * @example
 * noGrad(() => add_(w, w.grad!, { alpha: -0.1 })); // w -= 0.1 · grad
 */
export function add_(self: Tensor, other: TensorOrScalar, options: AlphaOptions = {}): Tensor {
  return inPlace('add_', self, [other], false, (input) => scaled(other, options.alpha, (value) => binary.add(input, value)));
}

/** `self −= alpha · other` in place. @example sub_(x, 1) */
export function sub_(self: Tensor, other: TensorOrScalar, options: AlphaOptions = {}): Tensor {
  return inPlace('sub_', self, [other], false, (input) => scaled(other, options.alpha, (value) => binary.sub(input, value)));
}

/** `self *= other` in place. @example mul_(x, 2) */
export function mul_(self: Tensor, other: TensorOrScalar): Tensor {
  return inPlace('mul_', self, [other], true, (input) => binary.mul(input, other));
}

/** `self /= other` in place (true division: an integer tensor is refused, as in PyTorch). @example div_(x, 2) */
export function div_(self: Tensor, other: TensorOrScalar): Tensor {
  return inPlace('div_', self, [other], true, (input) => binary.div(input, other));
}

/** `self **= exponent` in place. @example pow_(x, 2) */
export function pow_(self: Tensor, exponent: TensorOrScalar): Tensor {
  return inPlace('pow_', self, [exponent], true, (input) => binary.pow(input, exponent));
}

/** Clamp into `[min, max]` in place (either may be omitted). @example clamp_(x, 0, 1) */
export function clamp_(self: Tensor, min?: number | null, max?: number | null): Tensor {
  for (const bound of [min, max]) if (typeof bound === 'number') checkFitsDType('clamp_', bound, self.dtype);
  return inPlace('clamp_', self, [], true, (input) => clamp(input, min ?? undefined, max ?? undefined));
}

/** Fill with `value` in place (the old values get no gradient). @example fill_(x, 0.5) */
export function fill_(self: Tensor, value: number | boolean): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new DTypeError(`fill_: expected a number or boolean, got ${typeof value}`);
  checkFitsDType('fill_', value, self.dtype);
  return inPlace('fill_', self, [], false, (input) =>
    recordOp('fill_', [input], full(input.shape, value, { dtype: input.dtype, device: input.device }), () => [null]),
  );
}

/** Fill with zeros in place. @example zero_(x) */
export function zero_(self: Tensor): Tensor {
  return fill_(self, 0);
}

/**
 * Copy `src`'s elements into `self` in place, broadcasting and converting to `self`'s dtype (any
 * dtype, as PyTorch's `copy_`). The gradient flows to `src`; the old values get none.
 * @example
 * copy_(target, source);
 */
export function copy_(self: Tensor, src: Tensor): Tensor {
  if (!(src instanceof Tensor)) throw new DTypeError(`copy_: expected a Tensor source, got ${src === null ? 'null' : typeof src}`);
  return inPlace('copy_', self, [src], false, (input) => {
    // A copy of its own, so the write never reads memory it already wrote (src may overlap self).
    const source = src.dtype === input.dtype ? clone(src) : castTo(src, input.dtype);
    return recordOp('copy_', [input, source], source, (grad) => [null, grad]);
  });
}

/**
 * Set elements where `mask` (bool, broadcast into `self`'s shape) is true to `value`, in place.
 * @example
 * maskedFill_(scores, causalMask, -Infinity);
 */
export function maskedFill_(self: Tensor, mask: Tensor, value: number): Tensor {
  checkFitsDType('maskedFill_', value, self.dtype);
  return inPlace('maskedFill_', self, [mask], false, (input) =>
    recordOp('maskedFill_', [input], noGrad(() => maskedFill(input, mask, value)), (grad, [savedMask]) => [binary.where(savedMask, 0, grad)], {
      save: [mask],
    }),
  );
}

/** The in-place unary ops: each rule reads only the output, which the op saves (not the overwritten input). */
const OUTPUT_RULES = {
  neg: (grad: Tensor) => grad.neg(),
  exp: (grad: Tensor, y: Tensor) => grad.mul(y),
  relu: (grad: Tensor, y: Tensor) => gradientFromOutput('relu', grad, y),
  sigmoid: (grad: Tensor, y: Tensor) => gradientFromOutput('sigmoid', grad, y),
  tanh: (grad: Tensor, y: Tensor) => gradientFromOutput('tanh', grad, y),
} as const;

/** The unary ops with an in-place variant. */
export type InPlaceUnaryOp = keyof typeof OUTPUT_RULES;

/**
 * Apply `neg`, `exp`, `relu`, `sigmoid` or `tanh` in place (`x.exp_()`); exp, sigmoid and tanh refuse
 * integer tensors (their result is floating point).
 * @example
 * unary_('relu', hidden);
 */
export function unary_(op: InPlaceUnaryOp, self: Tensor): Tensor {
  const rule = OUTPUT_RULES[op];
  const name = `${op}_`;
  return inPlace(name, self, [], false, (input) =>
    recordOp(name, [input], noGrad(() => unaryOp(op, input)), (grad, _saved, output) => [rule(grad, output!)], { saveOutput: op !== 'neg' }),
  );
}
