import { ValueError, isTensor, stack, tensor, type Tensor } from '@tessera/core';

/**
 * Turns a list of items into one batch: tensors are stacked along a new first dim, numbers become a
 * float32 tensor, booleans a bool tensor, and arrays and plain objects are collated position by
 * position or key by key (PyTorch's `default_collate`). Anything else (strings…) is returned as a list.
 *
 * @example
 * defaultCollate([[tensor([1, 2]), 0], [tensor([3, 4]), 1]]); // [Tensor [2, 2], Tensor [2]]
 */
export function defaultCollate(items: readonly unknown[]): any {
  if (items.length === 0) throw new ValueError('defaultCollate: cannot collate an empty list of items');
  const first = items[0];
  if (isTensor(first)) return stack(items as Tensor[], 0);
  if (typeof first === 'number') return tensor(items as number[]);
  if (typeof first === 'boolean') return tensor(items as boolean[]);
  if (Array.isArray(first)) {
    const width = first.length;
    if (items.some((item) => !Array.isArray(item) || item.length !== width)) {
      throw new ValueError(`defaultCollate: every item must be an array of ${width} elements, like the first`);
    }
    return first.map((_, position) => defaultCollate(items.map((item) => (item as unknown[])[position])));
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = defaultCollate(items.map((item) => (item as Record<string, unknown>)[key]));
    return out;
  }
  return [...items];
}

/** Every tensor inside a (nested) item or batch: arrays and plain objects are searched. */
export function collectTensors(value: unknown, into: Set<Tensor> = new Set()): Set<Tensor> {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) for (const element of value) collectTensors(element, into);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const element of Object.values(value)) collectTensors(element, into);
  }
  return into;
}
