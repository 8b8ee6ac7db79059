/**
 * The operand checks of the batched matmul kernels (`matmul`, `matmulBiasActivation`), shared by every
 * backend. Core's `matmul` and `fusedMatmul` only ever pass operands that pass them; they guard a
 * backend called directly (a kernel author's test, another front end) with one message format.
 */
import { FUSED_ACTIVATIONS, type DType, type FusedActivation } from './backend';
import { DTypeError, ShapeError, ValueError } from '../errors';
import { formatShape } from '../shape';

/** What the checks read of a strided input view or an output buffer. */
interface OperandLayout {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/**
 * Throws a typed error unless `a [B, M, K]`, `b [B, K, N]`, `bias [N]` (or null) and `out [B, M, N]`
 * all have one dtype from `dtypes` and `activation` is a {@link FusedActivation}. Messages start with
 * `<backend> backend: <op>` and list every operand's dtype and shape.
 * @example
 * checkMatmulOperands('cpu', 'matmul', a, b, null, out, ['float32', 'float64']);
 */
export function checkMatmulOperands(
  backend: string,
  op: string,
  a: OperandLayout,
  b: OperandLayout,
  bias: OperandLayout | null,
  out: OperandLayout,
  dtypes: readonly DType[],
  activation: FusedActivation = 'none',
): void {
  // The operand list is spelled out only when a check fails (this runs once per layer per step).
  const describe = (view: OperandLayout | null): string => (view ? `${view.dtype} ${formatShape(view.shape)}` : 'null');
  const operands = (): string => `a ${describe(a)}, b ${describe(b)}, bias ${describe(bias)}, out ${describe(out)}`;
  const who = `${backend} backend: ${op}`;
  if (!dtypes.includes(out.dtype)) {
    throw new DTypeError(`${who} supports ${dtypes.join(' and ')}, got ${operands()}`);
  }
  if (a.dtype !== out.dtype || b.dtype !== out.dtype || (bias && bias.dtype !== out.dtype)) {
    throw new DTypeError(`${who} needs every operand in the output's dtype, got ${operands()}`);
  }
  const [batch, m, k] = a.shape;
  const n = b.shape[2];
  const chains = a.shape.length === 3 && b.shape.length === 3 && b.shape[0] === batch && b.shape[1] === k;
  if (!chains || out.shape.length !== 3 || out.shape[0] !== batch || out.shape[1] !== m || out.shape[2] !== n) {
    throw new ShapeError(`${who} needs a [B, M, K], b [B, K, N] and out [B, M, N], got ${operands()}`);
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n)) {
    throw new ShapeError(`${who} needs a bias of shape [${n}] (the product's columns), got ${operands()}`);
  }
  if (!FUSED_ACTIVATIONS.includes(activation)) {
    throw new ValueError(`${who} activation must be one of ${FUSED_ACTIVATIONS.join(', ')}, got ${String(activation)}`);
  }
}
