import { contiguousStrides, forEachPosition, withoutAxis, type ArrayView } from './strided';
import type { DataArray, DType } from '@tessera/core/backend';

/**
 * Inclusive cumulative sum along `axis` into the contiguous `out`. Floats accumulate in float64
 * (rounded on store); int32 wraps.
 * @example
 * const x = { data: new Int32Array([1, 2, 3]), shape: [3], strides: [1], offset: 0 };
 * const out = new Int32Array(3);
 * cumsumKernel(x, 0, out, 'int32'); // [1, 3, 6]
 */
export function cumsumKernel(x: ArrayView, axis: number, out: DataArray, dtype: DType): void {
  if (x.shape.length === 0) {
    out[0] = x.data[x.offset];
    return;
  }
  const line = withoutAxis(x.shape, x.strides, axis);
  const outLine = withoutAxis(x.shape, contiguousStrides(x.shape), axis);
  const src = x.data;
  const isInt = dtype === 'int32';
  const { extent, step } = line;
  const outStep = outLine.step;
  forEachPosition(line.shape, [line.strides, outLine.strides], [x.offset, 0], (starts) => {
    let at = starts[0];
    let write = starts[1];
    let running = 0;
    for (let i = 0; i < extent; i++, at += step, write += outStep) {
      running = isInt ? (running + src[at]) | 0 : running + src[at];
      out[write] = running;
    }
  });
}
