import { DTypeError, fillPhiloxStream } from '@tessera/core';
import type { DataArray, RandomRequest } from '@tessera/core/backend';

/**
 * Fill `out` with core's reference Philox stream (so CPU numbers equal every other backend's bit
 * for bit). Normals are computed in float64 and rounded once when stored into a Float32Array.
 * A bool output receives `bits` / `randint` values as `≠ 0`.
 * @example
 * const out = new Float32Array(4);
 * randomKernel(out, { distribution: 'uniform', key: [42, 0], counter: [0, 0] });
 */
export function randomKernel(out: DataArray, request: RandomRequest): void {
  if (out instanceof Uint8Array) {
    const words = new Int32Array(out.length);
    fillPhiloxStream(words, request);
    for (let i = 0; i < words.length; i++) out[i] = words[i] !== 0 ? 1 : 0;
    return;
  }
  if (out instanceof Uint16Array) throw new DTypeError('cpu backend: float16 random outputs arrive as float32 (kernels/float16.ts)');
  fillPhiloxStream(out, request);
}
