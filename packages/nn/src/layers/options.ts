/** Where a layer's parameters live and their element type (PyTorch's `device=`, `dtype=` factory kwargs). */
export interface FactoryOptions {
  /** `'float32'` (default) or `'float64'`. */
  dtype?: 'float32' | 'float64';
  /** Backend name (default: the current backend). */
  device?: string;
}

/** A number or an `[h, w]` pair, as PyTorch's `_pair`. */
export function pair(value: number | [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}
