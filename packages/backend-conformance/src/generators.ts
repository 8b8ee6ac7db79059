/**
 * Random shapes, strided view layouts and host data for the conformance suite.
 *
 * A view is described by a {@link ViewSpec}: the shape a kernel sees plus the strides, offset and
 * size of the buffer behind it. {@link layoutView} builds every kind of view core can produce —
 * broadcast (stride 0), permuted/transposed, sliced (offset and step) and flipped (negative
 * stride) — from one description, so every layout is constructed (and checked) the same way.
 */
import { toFloat16Bits } from '@tessera/core';
import { arrayFor, contiguousStrides, elementSpan, sizeOf, type DataArray, type DType } from '@tessera/core/backend';

/**
 * A deterministic pseudo-random source for test data (not the Philox stream under test).
 * @example
 * const rng: Rng = createRng(1);
 * rng.uniform(-1, 1);
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [low, high] (inclusive). */
  int(low: number, high: number): number;
  /** A float in [low, high). */
  uniform(low: number, high: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy of a list. */
  shuffle<T>(items: readonly T[]): T[];
  /** True with probability `p`. */
  chance(p: number): boolean;
}

/**
 * A seeded generator (mulberry32): the same seed always gives the same test data.
 * @example
 * const rng = createRng(42);
 * rng.int(1, 6); // the same die roll on every run
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    uniform: (low, high) => low + next() * (high - low),
    pick: (items) => items[Math.floor(next() * items.length)],
    shuffle: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
    chance: (p) => next() < p,
  };
  return rng;
}

/**
 * A per-test seed: the suite seed mixed with the test's name (FNV-1a), so each test's data does
 * not depend on which other tests ran or were skipped.
 * @example
 * createRng(seedFor(1234, 'unary.exp:float32'));
 */
export function seedFor(seed: number, name: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The shape, strides and offset of a view plus the size of the buffer it lives in.
 * @example
 * layoutView([2, 3], { flip: [false, true] }); // { shape: [2, 3], strides: [3, -1], offset: 2, bufferSize: 6, … }
 */
export interface ViewSpec {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  /** Elements in the underlying buffer (every element the view reaches is inside it). */
  readonly bufferSize: number;
  /** A short description for failure messages, e.g. `"flipped [3, 5] strides [-5, 1] offset 10"`. */
  readonly label: string;
}

/**
 * How a view is laid out over its buffer. Every field is per dim of the view's shape.
 * @example
 * const transposed: Layout = { order: [1, 0] };
 */
export interface Layout {
  /** Memory order of the dims, outermost first (default `[0, 1, …]`, row-major). */
  readonly order?: readonly number[];
  /** Dims that are broadcast: stride 0 over a buffer extent of 1. */
  readonly broadcast?: readonly boolean[];
  /** Dims read in reverse (negative stride). */
  readonly flip?: readonly boolean[];
  /** Extra buffer elements before the view along each dim (a slice's start). */
  readonly start?: readonly number[];
  /** Extra buffer elements after the view along each dim. */
  readonly end?: readonly number[];
  /** Slice step along each dim (1 = adjacent). */
  readonly step?: readonly number[];
}

// Shape arithmetic is core's; the kit re-exports it for backend tests.
export { contiguousStrides, sizeOf };

/**
 * Build a view of `shape` with `layout` over a freshly sized buffer.
 * @example
 * layoutView([2, 3], { order: [1, 0] });   // a transposed view: strides [1, 2]
 * layoutView([4], { flip: [true] });       // strides [-1], offset 3
 * layoutView([2, 3], { broadcast: [true, false] }); // strides [0, 1] over a buffer of 3
 */
export function layoutView(shape: readonly number[], layout: Layout = {}, kind = 'view'): ViewSpec {
  const rank = shape.length;
  const order = layout.order ?? shape.map((_, dim) => dim);
  const extents = shape.map((extent, dim) => {
    if (layout.broadcast?.[dim]) return 1;
    const step = layout.step?.[dim] ?? 1;
    const span = extent === 0 ? 0 : (extent - 1) * step + 1;
    return (layout.start?.[dim] ?? 0) + span + (layout.end?.[dim] ?? 0);
  });
  // Lay the buffer out contiguously in `order`, then derive each view dim's stride from it.
  const bufferStrides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let position = rank - 1; position >= 0; position--) {
    const dim = order[position];
    bufferStrides[dim] = stride;
    stride *= extents[dim];
  }
  const empty = shape.some((extent) => extent === 0);
  let offset = 0;
  const strides = shape.map((extent, dim) => {
    if (layout.broadcast?.[dim]) return 0;
    const step = (layout.step?.[dim] ?? 1) * bufferStrides[dim];
    offset += (layout.start?.[dim] ?? 0) * bufferStrides[dim];
    if (layout.flip?.[dim]) {
      offset += Math.max(extent - 1, 0) * step;
      return -step;
    }
    return step;
  });
  const bufferSize = sizeOf(extents);
  const spec: ViewSpec = {
    shape: [...shape],
    strides,
    offset: empty ? 0 : offset,
    bufferSize,
    label: `${kind} [${shape.join(', ')}] strides [${strides.join(', ')}] offset ${empty ? 0 : offset}`,
  };
  checkViewInBounds(spec);
  return spec;
}

/** Throw if a view reaches outside its buffer (a bug in the generator, never in a backend). */
function checkViewInBounds(spec: ViewSpec): void {
  if (sizeOf(spec.shape) === 0) return;
  const [low, high] = elementSpan(spec);
  if (low < 0 || high >= spec.bufferSize) throw new Error(`generator bug: ${spec.label} leaves a buffer of ${spec.bufferSize}`);
}

/**
 * The view layouts the suite draws from; `contiguous` is the only one for backends without strided inputs.
 * @example
 * randomView(createRng(1), [3, 4], 'flipped' satisfies ViewKind);
 */
export type ViewKind = 'contiguous' | 'broadcast' | 'permuted' | 'sliced' | 'flipped' | 'mixed';

/**
 * Every view kind, in the order the suite uses them.
 * @example
 * for (const kind of VIEW_KINDS) randomView(rng, [3, 4], kind);
 */
export const VIEW_KINDS: readonly ViewKind[] = ['contiguous', 'broadcast', 'permuted', 'sliced', 'flipped', 'mixed'];

/**
 * A random view of `shape` of the given kind. Kinds that do not apply (e.g. permuting a 1-d
 * shape) fall back to the closest layout that does.
 * @example
 * randomView(createRng(1), [3, 4, 5], 'mixed'); // broadcast, permuted, sliced and flipped at once
 */
export function randomView(rng: Rng, shape: readonly number[], kind: ViewKind): ViewSpec {
  const rank = shape.length;
  const dims = shape.map((_, dim) => dim);
  const some = (p: number) => dims.map(() => rng.chance(p));
  switch (kind) {
    case 'contiguous':
      return layoutView(shape, {}, kind);
    case 'broadcast': {
      const broadcast = some(0.5);
      if (rank > 0 && !broadcast.some(Boolean)) broadcast[rng.int(0, rank - 1)] = true;
      return layoutView(shape, { broadcast }, kind);
    }
    case 'permuted': {
      const order = rank >= 2 ? derange(rng, dims) : dims;
      return layoutView(shape, { order }, kind);
    }
    case 'sliced':
      return layoutView(
        shape,
        {
          start: dims.map(() => rng.int(0, 2)),
          end: dims.map(() => rng.int(0, 2)),
          step: dims.map(() => (rng.chance(0.3) ? 2 : 1)),
        },
        kind,
      );
    case 'flipped': {
      const flip = some(0.5);
      if (rank > 0 && !flip.some(Boolean)) flip[rng.int(0, rank - 1)] = true;
      return layoutView(shape, { flip }, kind);
    }
    case 'mixed':
      return layoutView(
        shape,
        {
          order: rng.shuffle(dims),
          broadcast: some(0.25),
          flip: some(0.4),
          start: dims.map(() => rng.int(0, 1)),
          end: dims.map(() => rng.int(0, 1)),
          step: dims.map(() => (rng.chance(0.25) ? 2 : 1)),
        },
        kind,
      );
  }
}

/** A permutation of `dims` that moves at least one dim (so the view really is permuted). */
function derange(rng: Rng, dims: readonly number[]): number[] {
  for (let attempt = 0; attempt < 10; attempt++) {
    const order = rng.shuffle(dims);
    if (order.some((dim, position) => dim !== position)) return order;
  }
  return [...dims].reverse();
}

/**
 * A random shape of `rank` dims whose extents lie in [minExtent, maxExtent].
 * @example
 * randomShape(createRng(2), 3, 5); // e.g. [4, 1, 5]
 */
export function randomShape(rng: Rng, rank: number, maxExtent = 6, minExtent = 1): number[] {
  return Array.from({ length: rank }, () => rng.int(minExtent, maxExtent));
}

/**
 * One input shape of a test case and a name for failure messages.
 * @example
 * const scalar: ShapeCase = { name: '0-d', shape: [] };
 */
export interface ShapeCase {
  readonly name: string;
  readonly shape: readonly number[];
  /** A case past one million elements (skipped when `large` is off). */
  readonly large?: boolean;
}

/**
 * The shapes every element-wise family runs: 0-d, a single element, empty, odd sizes, ranks 1–4,
 * and (when `large`) one shape past a million elements with odd extents.
 * @example
 * standardShapes(createRng(7), true).map((c) => c.name); // ['0-d', 'one element', 'empty', …, 'large']
 */
export function standardShapes(rng: Rng, large: boolean): ShapeCase[] {
  const cases: ShapeCase[] = [
    { name: '0-d', shape: [] },
    { name: 'one element', shape: [1] },
    { name: 'empty', shape: [3, 0, 2] },
    { name: 'odd 1-d', shape: [rng.int(2, 40) * 2 + 1] },
    { name: 'odd 2-d', shape: [7, 13] },
    { name: 'random 3-d', shape: randomShape(rng, 3, 7) },
    { name: 'random 4-d', shape: randomShape(rng, 4, 5) },
  ];
  if (large) cases.push({ name: 'large', shape: LARGE_SHAPE, large: true });
  return cases;
}

/**
 * The large shape: 1031 × 1019 = 1,050,589 elements (odd, prime extents, past 2²⁰).
 * @example
 * sizeOf(LARGE_SHAPE); // 1050589
 */
export const LARGE_SHAPE: readonly number[] = [1031, 1019];

/**
 * How host values are drawn for one input.
 * @example
 * const logits: ValueDomain = { kind: 'uniform', low: -6, high: 6 };
 */
export type ValueDomain =
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  /** Log-uniform positive values in [low, high]. */
  | { readonly kind: 'positive'; readonly low: number; readonly high: number }
  /** ±[low, high): bounded away from zero. */
  | { readonly kind: 'awayFromZero'; readonly low: number; readonly high: number }
  /** Integers in [low, high]. */
  | { readonly kind: 'integers'; readonly low: number; readonly high: number }
  /** Any int32 (full range, to exercise wrap-around). */
  | { readonly kind: 'int32' }
  /** Picks from a fixed list (ties, zeros, halves). */
  | { readonly kind: 'choices'; readonly values: readonly number[] }
  /** A random permutation of distinct values (no ties anywhere). */
  | { readonly kind: 'distinct' };

/**
 * A zeroed typed array of `dtype` holding `size` elements as the backend boundary holds them
 * (core's `arrayFor`; float16 is a Uint16Array of bit patterns).
 * @example
 * hostArray('bool', 3); // Uint8Array [0, 0, 0]
 */
export const hostArray: (dtype: DType, size: number) => DataArray = arrayFor;

/**
 * `values` as boundary data of `dtype` (float32 rounds, float16 rounds to nearest-even bit patterns,
 * int32 wraps, bool is `≠ 0`).
 * @example
 * hostData('float16', [1, 0.5]); // Uint16Array [0x3c00, 0x3800]
 */
export function hostData(dtype: DType, values: ArrayLike<number>): DataArray {
  if (dtype === 'float16') return toFloat16Bits(values);
  const data = hostArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) data[i] = dtype === 'bool' ? (values[i] !== 0 ? 1 : 0) : values[i];
  return data;
}

/**
 * Random host data of `dtype`: `size` values from `domain` (bool is 0/1 whatever the domain).
 * @example
 * randomData(createRng(3), 'float32', 10, { kind: 'uniform', low: -1, high: 1 });
 */
export function randomData(rng: Rng, dtype: DType, size: number, domain: ValueDomain): DataArray {
  // float16 values are drawn as numbers and rounded to bit patterns at the end.
  const data = dtype === 'float16' ? new Float64Array(size) : hostArray(dtype, size);
  if (dtype === 'bool') {
    for (let i = 0; i < size; i++) data[i] = rng.chance(0.5) ? 1 : 0;
    return data;
  }
  const distinct = domain.kind === 'distinct' ? rng.shuffle(Array.from({ length: size }, (_, i) => i - size / 2)) : null;
  for (let i = 0; i < size; i++) {
    switch (domain.kind) {
      case 'uniform':
        data[i] = rng.uniform(domain.low, domain.high);
        break;
      case 'positive':
        data[i] = Math.exp(rng.uniform(Math.log(domain.low), Math.log(domain.high)));
        break;
      case 'awayFromZero':
        data[i] = (rng.chance(0.5) ? -1 : 1) * rng.uniform(domain.low, domain.high);
        break;
      case 'integers':
        data[i] = rng.int(domain.low, domain.high);
        break;
      case 'int32':
        data[i] = (rng.next() * 4294967296) | 0;
        break;
      case 'choices':
        data[i] = rng.pick(domain.values);
        break;
      case 'distinct':
        data[i] = distinct![i] * (dtype === 'int32' ? 1 : 0.25);
        break;
    }
  }
  return dtype === 'float16' ? toFloat16Bits(data) : data;
}

/**
 * A copy of `data` with every element replaced by its absolute value (for error magnitudes).
 * A Uint16Array is float16 bit patterns: clearing the sign bit is the absolute value.
 * @example
 * absoluteData(new Float32Array([-1, 2])); // Float32Array [1, 2]
 */
export function absoluteData(data: DataArray): DataArray {
  const copy = data.slice();
  if (copy instanceof Uint16Array) {
    for (let i = 0; i < copy.length; i++) copy[i] &= 0x7fff;
    return copy;
  }
  for (let i = 0; i < copy.length; i++) copy[i] = Math.abs(copy[i]);
  return copy;
}
