import type { DataArray, DType } from '@tessera/core/backend';

/**
 * Set every element to `value` (bool stores 1 for any non-zero value).
 * @example
 * const out = new Float32Array(3);
 * fillKernel(out, 'float32', 2.5); // [2.5, 2.5, 2.5]
 */
export function fillKernel(out: DataArray, dtype: DType, value: number): void {
  out.fill(dtype === 'bool' ? (value !== 0 ? 1 : 0) : value);
}

/**
 * `out[i] = start + i · step`; int32 uses exact integer arithmetic (wrapping on store).
 * @example
 * const out = new Int32Array(4);
 * arangeKernel(out, 'int32', 1, 2); // [1, 3, 5, 7]
 */
export function arangeKernel(out: DataArray, dtype: DType, start: number, step: number): void {
  const n = out.length;
  if (dtype === 'int32') {
    for (let i = 0; i < n; i++) out[i] = (start + Math.imul(i, step)) | 0;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = start + i * step;
}
