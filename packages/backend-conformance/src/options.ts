import { resolveTolerances, type ResolvedTolerances, type ToleranceOptions } from './tolerance';
import type { DType } from '@tessera/core/backend';

/**
 * Options of {@link runConformance}.
 * @example
 * runConformance(myPlugin, { dtypes: ['float32', 'int32', 'bool'], skip: ['conv2d'], large: false, seed: 7 });
 */
export interface ConformanceOptions {
  /** Dtypes to test (default: every dtype in the backend's `capabilities.dtypes`). */
  readonly dtypes?: readonly DType[];
  /**
   * Checks to skip, by key: a family (`'unary'`, `'ops'`, `'gradients'`), one check (`'unary.erf'`,
   * `'conv2d'`, `'random.normal'`), or one check at one dtype (`'unary.erf:float32'`).
   * Every test's key is printed at the end of its name, e.g. `… [unary.erf:float32]`.
   */
  readonly skip?: readonly string[];
  /** Include the cases past one million elements (default true). */
  readonly large?: boolean;
  /** Seed of the test data (default 20240229). Each test mixes it with its own name. */
  readonly seed?: number;
  /** Tolerance overrides (see `DEFAULT_TOLERANCES`). */
  readonly tolerances?: ToleranceOptions;
  /** Run the op-level and gradient checks through core's public API (default true). */
  readonly ops?: boolean;
}

/**
 * {@link ConformanceOptions} with defaults filled in.
 * @example
 * resolveOptions({ large: false }).seed; // 20240229
 */
export interface ResolvedOptions {
  readonly dtypes: readonly DType[] | null;
  readonly skip: readonly string[];
  readonly large: boolean;
  readonly seed: number;
  readonly tolerances: ResolvedTolerances;
  readonly ops: boolean;
}

/**
 * Fill in defaults (dtypes stay null until the backend's capabilities are known).
 * @example
 * resolveOptions().large; // true
 */
export function resolveOptions(options: ConformanceOptions = {}): ResolvedOptions {
  return {
    dtypes: options.dtypes ?? null,
    skip: options.skip ?? [],
    large: options.large ?? true,
    seed: options.seed ?? 20240229,
    tolerances: resolveTolerances(options.tolerances),
    ops: options.ops ?? true,
  };
}

/**
 * Whether a test key is skipped: `skip` entries match the key itself, any prefix ending at a `.`
 * or `:` boundary, so `'unary'` skips `unary.exp:float32` and `'unary.exp'` skips every dtype of it.
 * @example
 * isSkipped('unary.exp:float32', ['unary.exp']); // true
 */
export function isSkipped(key: string, skip: readonly string[]): boolean {
  return skip.some((entry) => key === entry || key.startsWith(`${entry}.`) || key.startsWith(`${entry}:`));
}
