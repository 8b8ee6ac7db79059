/**
 * `repeat` (PyTorch's `Tensor.repeat`) and `tile`: copies of the whole tensor laid side by side,
 * built from a broadcast view and one reshape, so the gradient (a sum over the copies) comes for free.
 */
import { ShapeError } from '../errors';
import { tidy } from '../memory/scope';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';

function checkRepeats(op: string, repeats: readonly number[]): void {
  if (!Array.isArray(repeats) || !repeats.every((count) => Number.isInteger(count) && count >= 0)) {
    throw new ShapeError(`${op}: repeats must be non-negative integers, got ${JSON.stringify(repeats)}`);
  }
}

function repeatBy(x: Tensor, repeats: readonly number[]): Tensor {
  return tidy(() => {
    const lead = repeats.length - x.ndim;
    const shape = [...new Array<number>(lead).fill(1), ...x.shape];
    // [a, b] → [1, a, 1, b] → expand [ra, a, rb, b] → reshape [ra·a, rb·b].
    const interleaved = shape.flatMap((size) => [1, size]);
    const expanded = shape.flatMap((size, d) => [repeats[d], size]);
    return x.reshape(interleaved).expand(expanded).reshape(shape.map((size, d) => size * repeats[d]));
  });
}

/**
 * PyTorch's `Tensor.repeat`: tile `x` `repeats[d]` times along each dim; `repeats` may be longer than
 * `x.ndim` (new leading dims) but not shorter.
 * @example
 * repeat(tensor([1, 2]), [2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  x.assertLive('repeat');
  checkRepeats('repeat', repeats);
  if (repeats.length < x.ndim) {
    throw new ShapeError(
      `repeat: got ${repeats.length} repeat counts ${JSON.stringify(repeats)} for a tensor of shape ${formatShape(x.shape)}; ` +
        `give at least ${x.ndim} (or use tile, which pads them with leading 1s)`,
    );
  }
  return repeatBy(x, repeats);
}

/**
 * `torch.tile`: like {@link repeat}, but fewer counts than dims are padded with leading 1s.
 * @example
 * tile(tensor([[1, 2]]), [2]); // [[1, 2, 1, 2]]
 */
export function tile(x: Tensor, repeats: readonly number[]): Tensor {
  x.assertLive('tile');
  checkRepeats('tile', repeats);
  const padded = repeats.length < x.ndim ? [...new Array<number>(x.ndim - repeats.length).fill(1), ...repeats] : repeats;
  return repeatBy(x, padded);
}
