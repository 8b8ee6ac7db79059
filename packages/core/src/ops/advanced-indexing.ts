/**
 * Multi-dimensional indexing in one call, PyTorch's `x[...]`: `x.index([':', [0, 2], slice(1, null, 2),
 * null, '...'])` for `x[:, [0, 2], 1::2, None, ...]`. Integers, slices (also as strings such as '1::2'),
 * ':' , '...', null (a new axis), integer arrays or int32 tensors (advanced indices, broadcast together),
 * and boolean masks (arrays or bool tensors) follow PyTorch's semantics, including where the advanced
 * dims land (where the first was when they are adjacent, else in front). The top-level array lists one
 * item per position, so PyTorch's `x[[0, 2]]` is `x.index([[0, 2]])` and `x[0, 2]` is `x.index([0, 2])`. Basic items make views; advanced ones one `indexSelect`, so gradients flow
 * (repeated indices accumulate).
 */
import { noGrad } from '../autograd/grad-mode';
import { BackendError, ShapeError, TesseraError, ValueError } from '../errors';
import { tidy } from '../memory/scope';
import { broadcastShapes, formatShape, sizeOf } from '../shape';
import { Tensor } from '../tensor/tensor';
import { tensor } from './creation';
import { nonzero, nonzeroAsync } from './data-dependent';
import { checkIndexTensor, checkIndexValues } from './index-policy';
import { indexSelect } from './indexing';
import { where } from './binary';

/**
 * A Python slice `start:stop:step` (null = open end). Make one with {@link slice}.
 * @example
 * new Slice(1, null, 2); // 1::2
 */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly stop: number | null = null,
    readonly step: number | null = null,
  ) {}

  /** Python's spelling, for messages. */
  toString(): string {
    const part = (value: number | null) => (value === null ? '' : String(value));
    return `${part(this.start)}:${part(this.stop)}${this.step === null ? '' : `:${this.step}`}`;
  }
}

/**
 * The slice `start:stop:step` for {@link index}; `slice(1, null, 2)` is PyTorch's `1::2`.
 * @example
 * x.index([slice(null, null, 2), 0]); // x[::2, 0]
 */
export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): Slice {
  return new Slice(start, stop, step);
}

/** Nested arrays of integers (an index array) or of booleans (a mask). */
export type NestedIndexArray = readonly (number | boolean | NestedIndexArray)[];

/**
 * One item of an index: an integer, ':' , '...', a slice string ('1:', '::2', '-3:-1'), a
 * {@link Slice}, null (new axis), an integer/boolean array, or an int32/bool tensor.
 */
export type IndexItem = number | string | Slice | null | NestedIndexArray | Tensor;

type Parsed =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; slice: Slice }
  | { kind: 'newaxis' }
  | { kind: 'ellipsis' }
  | { kind: 'array'; index: Tensor; values: number[] | null; maskShape?: readonly number[] }
  | { kind: 'mask'; mask: Tensor };

const SLICE_PATTERN = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function parseSliceString(text: string): Slice {
  const match = SLICE_PATTERN.exec(text);
  if (!match) throw new ValueError(`index: cannot read '${text}' as an index item; use ':', '...', a slice like '1::2', a number, null or an array`);
  const number = (part: string | undefined) => (part === undefined ? null : Number(part));
  return new Slice(number(match[1]), number(match[2]), number(match[3]));
}

/** Shape and flat values of nested arrays (ragged arrays are an error). */
function readNested(value: NestedIndexArray): { shape: number[]; flat: (number | boolean)[] } {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const flat: (number | boolean)[] = [];
  const walk = (item: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof item !== 'number' && typeof item !== 'boolean') throw new ValueError(`index: array items must be numbers or booleans, got ${JSON.stringify(item)}`);
      flat.push(item);
      return;
    }
    if (!Array.isArray(item) || item.length !== shape[depth]) throw new ShapeError(`index: nested index arrays are ragged (expected length ${shape[depth]} at depth ${depth})`);
    for (const child of item) walk(child, depth + 1);
  };
  walk(value, 0);
  return { shape, flat };
}

/** The positions of the true entries of a host boolean mask, one int32 array per mask dim. */
function maskToArrays(shape: readonly number[], flat: readonly boolean[], device: string): Parsed[] {
  const columns: number[][] = shape.map(() => []);
  flat.forEach((on, position) => {
    if (!on) return;
    let rest = position;
    for (let d = shape.length - 1; d >= 0; d--) {
      columns[d].push(rest % shape[d]);
      rest = Math.floor(rest / shape[d]);
    }
  });
  return columns.map((values, d) => ({
    kind: 'array',
    index: tensor(Int32Array.from(values), { device, shape: [values.length] }),
    values,
    maskShape: d === 0 ? shape : undefined,
  }));
}

function parseItem(item: IndexItem, device: string): Parsed[] {
  if (item === null) return [{ kind: 'newaxis' }];
  if (typeof item === 'number') {
    checkIndexValues('index', [item]);
    return [{ kind: 'int', value: item }];
  }
  if (typeof item === 'string') {
    if (item.trim() === '...') return [{ kind: 'ellipsis' }];
    return [{ kind: 'slice', slice: parseSliceString(item) }];
  }
  if (item instanceof Slice) return [{ kind: 'slice', slice: item }];
  if (item instanceof Tensor) {
    item.assertLive('index');
    if (item.dtype === 'bool') {
      if (item.ndim === 0) throw new ShapeError('index: a 0-d boolean index is not supported; use unsqueeze or where instead');
      return [{ kind: 'mask', mask: item }];
    }
    checkIndexTensor('index', item, 'an index tensor');
    return [{ kind: 'array', index: item, values: null }];
  }
  if (Array.isArray(item)) {
    const { shape, flat } = readNested(item);
    if (flat.length > 0 && flat.every((value) => typeof value === 'boolean')) return maskToArrays(shape, flat as boolean[], device);
    if (flat.some((value) => typeof value === 'boolean')) throw new ValueError('index: an array mixes booleans and numbers');
    checkIndexValues('index', flat as number[]);
    const values = flat as number[];
    return [{ kind: 'array', index: tensor(Int32Array.from(values), { device, shape }), values }];
  }
  throw new ValueError(`index: unsupported index item ${String(item)}`);
}

/** A bool tensor mask as one int32 array per mask dim, from its `[count, ndim]` nonzero coordinates. */
function expandMask(mask: Tensor, coordinates: Tensor): Parsed[] {
  return Array.from({ length: mask.ndim }, (_, d) => ({
    kind: 'array' as const,
    index: coordinates.select(1, d).contiguous(),
    values: null,
    maskShape: d === 0 ? mask.shape : undefined,
  }));
}

/** Apply parsed items (masks already replaced) to `x`. */
function apply(x: Tensor, items: readonly Parsed[]): Tensor {
  const consumed = items.filter((item) => item.kind === 'int' || item.kind === 'slice' || item.kind === 'array').length;
  const ellipses = items.filter((item) => item.kind === 'ellipsis').length;
  if (ellipses > 1) throw new ValueError('index: at most one ellipsis (\'...\') is allowed');
  if (consumed > x.ndim) {
    throw new ShapeError(`index: ${consumed} indexed dims for a tensor of shape ${formatShape(x.shape)} (rank ${x.ndim})`);
  }
  const fill: Parsed[] = Array.from({ length: x.ndim - consumed }, () => ({ kind: 'slice', slice: new Slice() }));
  const at = items.findIndex((item) => item.kind === 'ellipsis');
  const full = at >= 0 ? [...items.slice(0, at), ...fill, ...items.slice(at + 1)] : [...items, ...fill];
  // Basic items (integers, slices, new axes) as views, as PyTorch does first; arrays leave their dim for later.
  // (Unlike NumPy, PyTorch never treats an integer as an advanced index, so x[0, :, [1, 2]] has shape [4, 2].)
  let view = x;
  let dim = 0;
  let inputDim = 0;
  const advanced: { dim: number; index: Tensor }[] = [];
  full.forEach((item) => {
    const size = view.shape[dim];
    if (item.kind === 'newaxis') {
      view = view.unsqueeze(dim++);
      return;
    }
    const maskShape = item.kind === 'array' ? item.maskShape : undefined;
    if (maskShape && maskShape.some((extent, k) => extent !== x.shape[inputDim + k])) {
      throw new ShapeError(`index: a boolean mask of shape ${formatShape(maskShape)} does not match dims ${inputDim}… of the input ${formatShape(x.shape)}`);
    }
    inputDim++;
    if (item.kind === 'slice') {
      const { start, stop, step } = item.slice;
      if (step !== null && (!Number.isInteger(step) || step <= 0)) throw new ValueError(`index: slice ${item.slice} needs a positive integer step (PyTorch has no negative steps; use flip)`);
      view = view.slice(dim++, start ?? 0, stop ?? Number.POSITIVE_INFINITY, step ?? 1);
    } else if (item.kind === 'int') {
      if (item.value < -size || item.value >= size) {
        throw new ShapeError(`index: index ${item.value} is out of range for dim ${inputDim - 1} of size ${size} (input ${formatShape(x.shape)})`);
      }
      view = view.select(dim, item.value);
    } else if (item.kind === 'array') {
      const bad = item.values?.find((value) => value < -size || value >= size);
      if (bad !== undefined) {
        throw new ShapeError(`index: index ${bad} is out of range for dim ${inputDim - 1} of size ${size} (input ${formatShape(x.shape)})`);
      }
      advanced.push({ dim: dim++, index: item.index });
    }
  });
  // A new handle even for x[...] (tidy must not adopt x itself).
  if (advanced.length === 0) return view === x ? x.expand([...x.shape]) : view;
  return gatherAdvanced(view, advanced);
}

/** Index `view` at the advanced dims by their broadcast index tensors (one indexSelect over the merged dims). */
function gatherAdvanced(view: Tensor, advanced: readonly { dim: number; index: Tensor }[]): Tensor {
  const broadcast = broadcastShapes('index', ...advanced.map((entry) => entry.index.shape));
  const adjacent = advanced.every((entry, k) => k === 0 || entry.dim === advanced[k - 1].dim + 1);
  const dims = advanced.map((entry) => entry.dim);
  const rest = view.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const sizes = dims.map((d) => view.shape[d]);
  // One flat position per index tuple: Σ indexₖ · strideₖ over the advanced dims, negatives counted from the end;
  // a tuple with an out-of-range part points past the end, so the backend's gather reports it.
  let linear: Tensor | null = null;
  let valid: Tensor | null = null;
  let stride = sizeOf(sizes);
  advanced.forEach((entry, k) => {
    stride /= sizes[k];
    const wrapped = where(entry.index.lt(0), entry.index.add(sizes[k]), entry.index);
    const inRange = wrapped.ge(0).logicalAnd(wrapped.lt(sizes[k]));
    const term = wrapped.mul(stride);
    linear = linear ? linear.add(term) : term;
    valid = valid ? valid.logicalAnd(inRange) : inRange;
  });
  const flatIndex = where(valid!, linear!, sizeOf(sizes)).expand(broadcast).reshape([-1]);
  const merged = view.permute([...dims, ...rest]).reshape([sizeOf(sizes), ...rest.map((d) => view.shape[d])]);
  let picked: Tensor;
  try {
    picked = indexSelect(merged, 0, flatIndex);
  } catch (error) {
    if (error instanceof TesseraError) {
      throw new ValueError(`index: an index tensor holds a position out of range for dims of sizes ${formatShape(sizes)} (input view ${formatShape(view.shape)})`);
    }
    throw error;
  }
  const restShape = rest.map((d) => view.shape[d]);
  const result = picked.reshape([...broadcast, ...restShape]);
  // Adjacent advanced indices put their dims where the first one was; separated ones put them first (PyTorch and NumPy rule).
  const first = adjacent ? dims[0] : 0;
  if (first === 0) return result;
  const b = broadcast.length;
  const order = [...restShape.keys()].map((k) => b + k);
  return result.permute([...order.slice(0, first), ...broadcast.map((_, k) => k), ...order.slice(first)]);
}

/** The item list: an array lists one item per position, as the comma-separated items in PyTorch's brackets. */
function normalizeSpec(spec: IndexItem | readonly IndexItem[]): readonly IndexItem[] {
  return Array.isArray(spec) ? (spec as readonly IndexItem[]) : [spec as IndexItem];
}

function indexWith(x: Tensor, spec: IndexItem | readonly IndexItem[], coordinatesOf: (mask: Tensor) => Tensor): Tensor {
  x.assertLive('index');
  return tidy(() => {
    const items = normalizeSpec(spec)
      .flatMap((item) => parseItem(item, x.device))
      .flatMap((parsed) => (parsed.kind === 'mask' ? expandMask(parsed.mask, coordinatesOf(parsed.mask)) : [parsed]));
    return apply(x, items);
  });
}

/**
 * PyTorch's `x[...]` in one call (see the module comment for the items). Boolean tensor masks need
 * a backend with sync reads; elsewhere use {@link indexAsync}.
 * @example
 * x.index([':', [0, 2], slice(1, null, 2)]); // x[:, [0, 2], 1::2]
 * x.index(['...', 0]);                        // x[..., 0]
 * x.index([ids, null]);                       // x[ids, None]
 */
export function index(x: Tensor, spec: IndexItem | readonly IndexItem[]): Tensor {
  return indexWith(x, spec, (mask) => {
    if (!mask.storage.backend.capabilities.syncRead) {
      throw new BackendError(`index: a boolean tensor mask makes the result's shape depend on the data, and backend '${mask.device}' cannot read synchronously; use await x.indexAsync(…)`);
    }
    return noGrad(() => nonzero(mask));
  });
}

/**
 * {@link index} on every backend: boolean tensor masks are read asynchronously first.
 * @example
 * const picked = await x.indexAsync([x.gt(0)]); // x[x > 0]
 */
export async function indexAsync(x: Tensor, spec: IndexItem | readonly IndexItem[]): Promise<Tensor> {
  const items = normalizeSpec(spec);
  const masks = items.filter((item): item is Tensor => item instanceof Tensor && item.dtype === 'bool' && item.ndim > 0);
  const coordinates = new Map<Tensor, Tensor>();
  try {
    for (const mask of masks) coordinates.set(mask, await nonzeroAsync(mask));
    return indexWith(x, items, (mask) => coordinates.get(mask)!);
  } finally {
    for (const coordinate of coordinates.values()) coordinate.dispose();
  }
}
