/**
 * Shared pieces of the linalg composites: argument checks, small constant tensors, diagonal
 * helpers and the recording of a decomposition with several outputs as one autograd node.
 */
import { recordOp, needsGrad } from '../autograd/record';
import { isGradEnabled, noGrad } from '../autograd/grad-mode';
import { isFloating } from '../dtype';
import { AutogradError, DTypeError, ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { tensor } from '../ops/creation';
import { cat } from '../ops/join';
import { where } from '../ops/binary';
import { formatShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor/tensor';

/** Check a linalg operand: float32 or float64 (float16 has too few digits for the iterative methods), at least `minDims` dims. */
export function checkLinalgInput(op: string, A: Tensor, minDims = 2): void {
  A.assertLive(`linalg.${op}`);
  if (A.dtype !== 'float32' && A.dtype !== 'float64') {
    throw new DTypeError(`linalg.${op}: expected a float32 or float64 tensor, got ${A.dtype} of shape ${formatShape(A.shape)}`);
  }
  if (A.ndim < minDims) {
    throw new ShapeError(`linalg.${op}: expected a matrix or a batch of matrices (at least ${minDims} dims), got shape ${formatShape(A.shape)}`);
  }
}

/** Check that `A` is a (batch of) square float matrices; returns n. */
export function checkSquare(op: string, A: Tensor): number {
  checkLinalgInput(op, A);
  const [rows, cols] = A.shape.slice(-2);
  if (rows !== cols) {
    throw new ShapeError(`linalg.${op}: expected square matrices (*, n, n), got shape ${formatShape(A.shape)}`);
  }
  return rows;
}

/** Leading (batch) dims of a matrix-shaped tensor. */
export function batchShape(A: Tensor): number[] {
  return A.shape.slice(0, -2);
}

/** The last two dims swapped (the matrix transpose, batched). */
export function mT(A: Tensor): Tensor {
  return A.transpose(-2, -1);
}

/** A constant tensor on `like`'s device: in `like`'s float dtype, or int32 / bool (non-zero is true). */
export function constant(like: Tensor, data: ArrayLike<number>, shape: readonly number[], dtype: 'int32' | 'bool' | 'float' = 'float'): Tensor {
  const values = dtype === 'bool' ? Array.from(data, Boolean) : Array.from(data);
  return tensor(values, { dtype: dtype === 'float' ? like.dtype : dtype, shape: [...shape], device: like.device });
}

/** `[0, 1, …, n−1]` as int32 on A's device, shaped `shape` (one dim of size n, the others 1). */
export function positions(like: Tensor, n: number, shape: readonly number[] = [n]): Tensor {
  return constant(like, Array.from({ length: n }, (_, i) => i), shape, 'int32');
}

/** The n×n identity as a bool mask (for `where`, which never turns inf·0 into NaN). */
export function identityMask(like: Tensor, n: number): Tensor {
  const data = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return constant(like, data, [n, n], 'bool');
}

/** Diagonal of the last two dims: (*, n, n) → (*, n), exact (a gather, not a masked sum). */
export function diagonal(A: Tensor): Tensor {
  const n = Math.min(...A.shape.slice(-2));
  const index = positions(A, n, [n, 1]).expand([...batchShape(A), n, 1]);
  return A.narrow(-2, 0, n).gather(-1, index).squeeze(-1);
}

/** (*, n) → (*, n, n) with `v` on the diagonal (PyTorch's diag_embed). */
export function diagEmbed(v: Tensor): Tensor {
  const n = v.shape[v.ndim - 1];
  return where(identityMask(v, n), v.unsqueeze(-1), 0);
}

/** Identity matrices shaped (*batch, n, n) in A's dtype and device. */
export function identityLike(A: Tensor, n: number, batch: readonly number[] = batchShape(A)): Tensor {
  const data = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return constant(A, data, [n, n]).expand([...batch, n, n]);
}

/**
 * Refuse gradients of gradients through a rule whose second derivative is not implemented (rather than
 * return values that miss the factors' own dependence on the input).
 */
export function firstOrderOnly(op: string): void {
  if (isGradEnabled()) {
    throw new AutogradError(
      `linalg.${op}: gradients of gradients (createGraph) are not supported through ${op} yet; ` +
        'first derivatives are (call backward/grad without createGraph)',
    );
  }
}

/**
 * Run a decomposition's forward pass without recording (intermediates freed), then record its outputs
 * as one autograd node and return the first `returned` of them: they are views of one packed tensor,
 * so the gradients of every output that is used reach the rule together (unused ones arrive as zeros).
 * The rule reads the outputs from the node's saved output, which backward re-attaches to the graph
 * under `createGraph`, so rules written with core ops give correct gradients of gradients too.
 */
export function decomposition(
  opName: string,
  input: Tensor,
  forward: () => Tensor[],
  rule: (grads: Tensor[], outputs: readonly Tensor[]) => Tensor,
  returned?: number,
): Tensor[] {
  const outputs = noGrad(() => tidy(forward));
  const count = returned ?? outputs.length;
  if (!needsGrad([input]) || !isFloating(input.dtype)) {
    for (const output of outputs.slice(count)) output.dispose();
    return outputs.slice(0, count);
  }
  const shapes = outputs.map((output) => output.shape);
  const packed = noGrad(() => cat(outputs.map((output) => output.reshape([-1])), 0));
  for (const output of outputs) output.dispose();
  const pieces = (whole: Tensor, upTo = shapes.length) => {
    let offset = 0;
    return shapes.slice(0, upTo).map((shape) => {
      const size = sizeOf(shape);
      const piece = whole.narrow(0, offset, size).reshape(shape);
      offset += size;
      return piece;
    });
  };
  recordOp(opName, [input], packed, (grad, _saved, output) => [rule(pieces(grad), pieces(output!))], { saveOutput: true });
  const views = pieces(packed, count);
  packed.dispose();
  return views;
}
