/**
 * Element-wise binary arithmetic, comparisons and `where`, with broadcasting, PyTorch's dtype
 * promotion and gradients reduced back to each operand's shape.
 */
import type { BinaryOp, DType } from '../backend/backend';
import { recordOp } from '../autograd/record';
import { autocastNeedsFloat32, autocastOp } from '../autograd/autocast';
import { isFloating, resultType, type PromotionOperand } from '../dtype';
import { DTypeError } from '../errors';
import { broadcastShapes, formatShape } from '../shape';
import { Tensor, type TensorOrScalar } from '../tensor/tensor';
import { castIfNeeded, disposeIfTemp } from './cast';
import { backendOf, broadcastView, runKernel, scalarOn } from './dispatch';
import { sumToShape } from './reduce-to-shape';
import type { Backend } from '../backend/backend';

function promotionOperand(value: TensorOrScalar): PromotionOperand {
  return value instanceof Tensor ? { dtype: value.dtype, ndim: value.ndim } : value;
}

function checkScalar(op: string, value: TensorOrScalar): void {
  if (!(value instanceof Tensor) && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new DTypeError(`${op}: expected a Tensor, number or boolean operand, got ${value === null ? 'null' : typeof value}`);
  }
}

/** The operand as a tensor of `dtype` on `backend` (a temporary unless it already was one). */
function operandAs(op: string, backend: Backend, value: TensorOrScalar, dtype: DType): Tensor {
  return value instanceof Tensor ? castIfNeeded(value, dtype) : scalarOn(op, backend, value, dtype);
}

interface Prepared {
  backend: Backend;
  a: Tensor;
  b: Tensor;
  shape: number[];
  release: () => void;
}

function prepare(op: string, left: TensorOrScalar, right: TensorOrScalar, dtype: DType): Prepared {
  checkScalar(op, left);
  checkScalar(op, right);
  const tensors = [left, right].filter((value): value is Tensor => value instanceof Tensor);
  const backend = backendOf(op, tensors);
  const a = operandAs(op, backend, left, dtype);
  const b = operandAs(op, backend, right, dtype);
  const shape = broadcastShapes(op, a.shape, b.shape);
  return {
    backend,
    a,
    b,
    shape,
    release: () => {
      disposeIfTemp(a, left);
      disposeIfTemp(b, right);
    },
  };
}

function run(op: BinaryOp, prepared: Prepared, outDtype: DType): Tensor {
  const { backend, a, b, shape } = prepared;
  return runKernel(backend, shape, outDtype, [broadcastView(a, shape), broadcastView(b, shape)], (out, [va, vb]) =>
    backend.binary(op, va, vb, out),
  );
}

/** dtype of an arithmetic result: bool arithmetic is done in int32 (Tessera has no uint8). */
function arithmeticType(left: TensorOrScalar, right: TensorOrScalar): DType {
  const dtype = resultType([promotionOperand(left), promotionOperand(right)]);
  return dtype === 'bool' ? 'int32' : dtype;
}

/** A binary gradient rule; `a`/`b` are the saved operands (only for rules that read them). */
type ArithmeticRule = (grad: Tensor, a: Tensor, b: Tensor, out: Tensor, need: readonly [boolean, boolean]) => [Tensor | null, Tensor | null];

/** Ops whose gradient reads the operands' values (add and sub need only the shapes). */
const READS_OPERANDS = new Set<BinaryOp>(['mul', 'div', 'pow', 'maximum', 'minimum']);

function arithmetic(op: BinaryOp, left: TensorOrScalar, right: TensorOrScalar, rule: ArithmeticRule, dtype = arithmeticType(left, right)): Tensor {
  const prepared = prepare(op, left, right, dtype);
  try {
    const out = run(op, prepared, dtype);
    if (!isFloating(dtype)) return out;
    const { a, b } = prepared;
    const need = [a.requiresGrad, b.requiresGrad] as const;
    const shapes = [a.shape, b.shape] as const;
    const reads = READS_OPERANDS.has(op);
    return recordOp(
      op,
      [a, b],
      out,
      (grad, saved, output) => {
        const [gradA, gradB] = rule(grad, saved[0], saved[1], output!, need);
        return [
          gradA && need[0] ? sumToShape(gradA, shapes[0]) : null,
          gradB && need[1] ? sumToShape(gradB, shapes[1]) : null,
        ];
      },
      { save: reads ? [a, b] : [], saveOutput: op === 'div' || op === 'pow' },
    );
  } finally {
    prepared.release();
  }
}

/**
 * `a + b` with broadcasting.
 * @example
 * add(tensor([1, 2]), 10); // [11, 12]
 */
export function add(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arithmetic('add', a, b, (g) => [g, g]);
}

/** `a − b`. @example sub(tensor([3]), 1) // [2] */
export function sub(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arithmetic('sub', a, b, (g, _a, _b, _out, need) => [g, need[1] ? g.neg() : null]);
}

/** `a · b`. @example mul(tensor([2, 3]), tensor([4, 5])) // [8, 15] */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arithmetic('mul', a, b, (g, sa, sb, _out, need) => [need[0] ? g.mul(sb) : null, need[1] ? g.mul(sa) : null]);
}

/** True division (integers give float32). @example div(tensor([1], { dtype: 'int32' }), 2) // [0.5] */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  let dtype = arithmeticType(a, b);
  if (!isFloating(dtype)) dtype = 'float32';
  return arithmetic(
    'div',
    a,
    b,
    (g, sa, sb, out, need) => [need[0] ? g.div(sb) : null, need[1] ? g.mul(out).div(sb).neg() : null],
    dtype,
  );
}

/**
 * `a ** b`. The exponent's gradient `out · ln a` is 0 where `a = 0` and `b ≥ 0` (as PyTorch).
 * @example
 * pow(tensor([2, 3]), 2); // [4, 9]
 */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (autocastNeedsFloat32(a, b)) return autocastOp('pow', 'float32', [a, b], pow);
  return arithmetic('pow', a, b, (g, sa, sb, out, need) => [
    need[0] ? g.mul(sb).mul(sa.pow(sb.sub(1))) : null,
    need[1] ? g.mul(out.mul(sa.log()).where(sa.ne(0).logicalOr(sb.lt(0)), 0)) : null,
  ]);
}

function extremumRule(op: 'gt' | 'lt'): ArithmeticRule {
  // Ties share the gradient equally, as PyTorch does.
  return (g, sa, sb, _out, need) => {
    const tie = sa.eq(sb).float().mul(0.5);
    return [
      need[0] ? g.mul(compare(op, sa, sb).float().add(tie)) : null,
      need[1] ? g.mul(compare(op, sb, sa).float().add(tie)) : null,
    ];
  };
}

/** Element-wise maximum; NaN propagates. @example maximum(tensor([1, 5]), 3) // [3, 5] */
export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arithmetic('maximum', a, b, extremumRule('gt'));
}

/** Element-wise minimum; NaN propagates. @example minimum(tensor([1, 5]), 3) // [1, 3] */
export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arithmetic('minimum', a, b, extremumRule('lt'));
}

/** Comparison and logical op names. */
export type ComparisonOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr';

/**
 * Compare element-wise → bool (operands promoted to a common dtype first).
 * @example
 * compare('gt', tensor([1, 3]), 2); // [false, true]
 */
export function compare(op: ComparisonOp, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const logical = op === 'logicalAnd' || op === 'logicalOr';
  const dtype = logical ? 'bool' : resultType([promotionOperand(a), promotionOperand(b)]);
  const prepared = prepare(op, a, b, dtype);
  try {
    return run(op, prepared, 'bool');
  } finally {
    prepared.release();
  }
}

/**
 * `condition ? a : b` element-wise, broadcasting all three (PyTorch's `torch.where`).
 * @example
 * where(x.gt(0), x, 0); // relu
 */
export function where(condition: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  checkScalar('where', a);
  checkScalar('where', b);
  if (!(condition instanceof Tensor)) throw new DTypeError('where: condition must be a bool Tensor');
  if (condition.dtype !== 'bool') {
    throw new DTypeError(`where: condition must be bool, got ${condition.dtype} of shape ${formatShape(condition.shape)}; compare first (e.g. x.gt(0))`);
  }
  const dtype = resultType([promotionOperand(a), promotionOperand(b)]);
  const tensors = [condition, a, b].filter((value): value is Tensor => value instanceof Tensor);
  const backend = backendOf('where', tensors);
  const ta = operandAs('where', backend, a, dtype);
  const tb = operandAs('where', backend, b, dtype);
  try {
    const shape = broadcastShapes('where', condition.shape, ta.shape, tb.shape);
    const out = runKernel(
      backend,
      shape,
      dtype,
      [broadcastView(condition, shape), broadcastView(ta, shape), broadcastView(tb, shape)],
      (output, [vc, va, vb]) => backend.where(vc, va, vb, output),
    );
    if (!isFloating(dtype)) return out;
    return recordOp(
      'where',
      [ta, tb],
      out,
      (grad, [cond, savedA, savedB]) => [
        savedA.requiresGrad ? sumToShape(where(cond, grad, 0), savedA.shape) : null,
        savedB.requiresGrad ? sumToShape(where(cond, 0, grad), savedB.shape) : null,
      ],
      { save: [condition, ta, tb] },
    );
  } finally {
    disposeIfTemp(ta, a);
    disposeIfTemp(tb, b);
  }
}
