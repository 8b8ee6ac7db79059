import { float16BitsToFloat32 } from '@tessera/core';
import { stableArgsort, type DataArray, type DType } from '@tessera/core/backend';
import { contiguousStrides, forEachPosition, withoutAxis, type ArrayView } from './strided';

/** Lines up to this long pack (32-bit key, position) into one exactly representable float64. */
const PACKED_POSITION_LIMIT = 2 ** 21;

const floatBits = new Float32Array(1);
const uintBits = new Uint32Array(floatBits.buffer);

/**
 * A uint32 whose unsigned order is the sort order of `value` (float32 or int32 values): the sign bit
 * flipped for non-negative numbers, all bits for negative ones; every NaN becomes the one key above +∞.
 */
function orderedKey(value: number, integer: boolean): number {
  if (integer) return value + 2 ** 31;
  if (value !== value) return 0xffffffff;
  floatBits[0] = value;
  const bits = uintBits[0];
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/**
 * The stable sorting permutation along `axis` into the contiguous int32 `out` (core's optional
 * `argsort` kernel), in the order `stableArgsort` defines: NaN above +∞, ties in input order.
 * float32, float16 (arriving as bits) and int32 lines sort as packed `key · 2²¹ + position` numbers
 * with the native numeric sort; float64 lines (and very long ones) with `stableArgsort` itself.
 * @example
 * const x = { data: new Float32Array([2, 1, 2]), shape: [3], strides: [1], offset: 0 };
 * const out = new Int32Array(3);
 * argsortKernel(x, 0, false, out, 'float32'); // [1, 0, 2]
 */
export function argsortKernel(x: ArrayView, axis: number, descending: boolean, out: DataArray, dtype: DType): void {
  if (x.shape.length === 0) {
    out[0] = 0;
    return;
  }
  const line = withoutAxis(x.shape, x.strides, axis);
  const outLine = withoutAxis(x.shape, contiguousStrides(x.shape), axis);
  const { extent, step } = line;
  if (extent === 0) return;
  const src = x.data;
  const halfBits = dtype === 'float16';
  const packable = dtype !== 'float64' && extent <= PACKED_POSITION_LIMIT;
  const packed = new Float64Array(packable ? extent : 0);
  const values = new Float64Array(packable ? 0 : extent);
  forEachPosition(line.shape, [line.strides, outLine.strides], [x.offset, 0], (starts) => {
    if (!packable) {
      for (let k = 0, at = starts[0]; k < extent; k++, at += step) values[k] = src[at];
      const order = stableArgsort(values, descending);
      for (let k = 0, write = starts[1]; k < extent; k++, write += outLine.step) out[write] = order[k];
      return;
    }
    for (let k = 0, at = starts[0]; k < extent; k++, at += step) {
      const key = orderedKey(halfBits ? float16BitsToFloat32(src[at]) : src[at], dtype === 'int32');
      packed[k] = (descending ? 0xffffffff - key : key) * PACKED_POSITION_LIMIT + k;
    }
    packed.sort();
    for (let k = 0, write = starts[1]; k < extent; k++, write += outLine.step) out[write] = packed[k] % PACKED_POSITION_LIMIT;
  });
}
