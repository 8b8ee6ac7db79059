import type { DataArray, DType } from '@tessera/core/backend';
/**
 * How close a backend's result must be to the float64 reference.
 *
 * Integer and bool results must match exactly. A float result at element `i` passes when
 * `|actual − expected| ≤ atol + rtol · scale · (|expected| + magnitude[i])`, where
 * - `rtol`/`atol` depend on the dtype ({@link DEFAULT_TOLERANCES}),
 * - `scale` grows with the length of an accumulation (`log₂ n` for reductions, `K / 64` for a
 *   matmul or convolution with `K` products per output) — floating-point sums lose accuracy with length,
 * - `magnitude[i]` is the same computation run on absolute values (`Σ|x|`, `|A|·|B|`), because the
 *   error of a sum is proportional to the size of its terms, not of its (possibly cancelling) result.
 * NaN must match NaN and an infinity must match the same infinity.
 */

/**
 * Relative and absolute tolerance of one float dtype.
 * @example
 * const loose: Tolerance = { rtol: 1e-4, atol: 1e-5 };
 */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * User overrides of the default tolerances.
 * @example
 * const loose: Tolerance = { rtol: 1e-4, atol: 1e-5 };
 */
export interface ToleranceOptions {
  readonly float32?: Partial<Tolerance>;
  readonly float64?: Partial<Tolerance>;
  readonly float16?: Partial<Tolerance>;
  /** Extra absolute error allowed for `erf` (the contract asks for ≤ 1e-7). Default 1e-7. */
  readonly erfAtol?: number;
  /** Absolute error allowed for float32 normals from `random` (float64 normals are bit-exact). Default 1e-6. */
  readonly normalFloat32Atol?: number;
}

/**
 * Default tolerances: float32 `rtol 1e-5, atol 1e-6` (about 80 ulps: room for a kernel that works
 * in float32 where the reference works in float64), float64 `rtol 1e-10, atol 1e-12`, float16
 * `rtol 1e-3, atol 1e-7`: one float16 ulp (2⁻¹⁰ relative, 2⁻²⁴ for subnormals), i.e. two half-ulp
 * roundings — the reference rounds the exact result once, a backend that computes in float32 (or in
 * half) and rounds may land on the neighbouring half. Accumulations scale it as for the other dtypes.
 * @example
 * DEFAULT_TOLERANCES.float32; // { rtol: 1e-5, atol: 1e-6 }
 */
export const DEFAULT_TOLERANCES: { readonly float32: Tolerance; readonly float64: Tolerance; readonly float16: Tolerance } = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
  float16: { rtol: 1e-3, atol: 1e-7 },
};

/**
 * Resolved tolerances with every field present.
 * @example
 * resolveTolerances().erfAtol; // 1e-7
 */
export interface ResolvedTolerances {
  readonly float32: Tolerance;
  readonly float64: Tolerance;
  readonly float16: Tolerance;
  readonly erfAtol: number;
  readonly normalFloat32Atol: number;
}

/**
 * Merge user overrides into the defaults.
 * @example
 * resolveTolerances({ float32: { rtol: 1e-4 } }).float32; // { rtol: 1e-4, atol: 1e-6 }
 */
export function resolveTolerances(options: ToleranceOptions = {}): ResolvedTolerances {
  return {
    float32: { ...DEFAULT_TOLERANCES.float32, ...options.float32 },
    float64: { ...DEFAULT_TOLERANCES.float64, ...options.float64 },
    float16: { ...DEFAULT_TOLERANCES.float16, ...options.float16 },
    erfAtol: options.erfAtol ?? 1e-7,
    normalFloat32Atol: options.normalFloat32Atol ?? 1e-6,
  };
}

/**
 * The tolerance of a dtype, or `null` when results must be exact (int32, bool).
 * @example
 * toleranceFor('int32', resolveTolerances()); // null
 */
export function toleranceFor(dtype: DType, tolerances: ResolvedTolerances): Tolerance | null {
  if (dtype === 'float32') return tolerances.float32;
  if (dtype === 'float64') return tolerances.float64;
  if (dtype === 'float16') return tolerances.float16;
  return null;
}

/**
 * The accumulation factor of a sum of `n` terms: `max(1, log₂ n)` (pairwise summation's error bound).
 * @example
 * reductionScale(1024); // 10
 */
export function reductionScale(n: number): number {
  return Math.max(1, Math.log2(Math.max(n, 1)));
}

/**
 * The accumulation factor of `K` products per output (matmul, conv2d): `max(1, K / 64)`.
 * @example
 * productScale(256); // 4
 */
export function productScale(k: number): number {
  return Math.max(1, k / 64);
}

/**
 * A mismatch between a backend and the reference, with the details needed to debug it.
 * @example
 * try { expectClose(a, b, 'exp', { tolerance: null }); } catch (error) { error instanceof ConformanceError; }
 */
export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
}

/**
 * What {@link expectClose} compares and how.
 * @example
 * expectClose(actual, expected, 'sum', { tolerance: DEFAULT_TOLERANCES.float32, scale: reductionScale(n), magnitude: sumOfAbs });
 */
export interface CloseOptions {
  /** Float tolerance, or null for exact comparison. */
  readonly tolerance: Tolerance | null;
  /** Multiplies `rtol` (accumulation length, see {@link reductionScale}). Default 1. */
  readonly scale?: number;
  /** Per-element size of the terms that produced each result (same length as `expected`). */
  readonly magnitude?: DataArray | readonly number[];
  /** A constant added to every magnitude (for results that are differences of O(1) terms). */
  readonly magnitudeFloor?: number;
  /** Extra absolute allowance (e.g. erf's approximation error). */
  readonly extraAtol?: number;
  /** Require bit-exact equality even for floats (RNG streams). */
  readonly exact?: boolean;
  /** Shape of the result, to print multi-indices in failure messages. */
  readonly shape?: readonly number[];
}

/** Row-major multi-index of a flat index, for messages. */
function multiIndex(flat: number, shape: readonly number[] | undefined): string {
  if (!shape || shape.length === 0) return `${flat}`;
  const index: number[] = [];
  let remaining = flat;
  for (let dim = shape.length - 1; dim >= 0; dim--) {
    index[dim] = remaining % shape[dim];
    remaining = Math.floor(remaining / shape[dim]);
  }
  return `${flat} [${index.join(', ')}]`;
}

/**
 * Throw a {@link ConformanceError} naming `what`, the first few differing elements and the allowed
 * error unless `actual` matches `expected` element by element.
 * @example
 * expectClose(actual, expected, 'exp (float32) on a flipped [3, 5] view', { tolerance: DEFAULT_TOLERANCES.float32 });
 */
export function expectClose(actual: DataArray, expected: DataArray, what: string, options: CloseOptions): void {
  if (actual.length !== expected.length) {
    throw new ConformanceError(`${what}: read back ${actual.length} elements, expected ${expected.length}`);
  }
  const { tolerance } = options;
  const scale = options.scale ?? 1;
  const floor = options.magnitudeFloor ?? 0;
  const extra = options.extraAtol ?? 0;
  const failures: string[] = [];
  let failureCount = 0;
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i];
    const got = actual[i];
    let ok: boolean;
    let allowed = 0;
    if (Number.isNaN(want)) ok = Number.isNaN(got);
    else if (tolerance === null || options.exact || !Number.isFinite(want)) ok = got === want;
    else {
      const magnitude = (options.magnitude ? Math.abs(options.magnitude[i]) : 0) + floor;
      allowed = tolerance.atol + extra + tolerance.rtol * scale * (Math.abs(want) + magnitude);
      ok = Math.abs(got - want) <= allowed;
    }
    if (!ok) {
      failureCount++;
      if (failures.length < 5) {
        failures.push(`  at ${multiIndex(i, options.shape)}: got ${got}, expected ${want}${allowed > 0 ? ` (±${allowed.toPrecision(3)})` : ''}`);
      }
    }
  }
  if (failureCount > 0) {
    throw new ConformanceError(`${what}: ${failureCount} of ${expected.length} elements differ from the reference\n${failures.join('\n')}`);
  }
}
