/**
 * The slice of core's public API (ARCHITECTURE.md §4) the op-level checks use, looked up at run
 * time. The kit is a peer of core: when an older core lacks a name, the checks that need it are
 * skipped with that name in the reason instead of the whole suite failing to load.
 */
import * as core from '@tessera/core';
import * as coreTesting from '@tessera/core/testing';
import type { BackendPlugin, DataArray, DType, FusedActivation } from '@tessera/core/backend';

/**
 * A core tensor as the op-level checks use it (ops are called by name).
 * @example
 * const y: CoreTensor = api.tensor(new Float32Array([1, 2])).exp();
 */
export interface CoreTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: string;
  readonly grad: CoreTensor | null;
  requiresGrad: boolean;
  data(): Promise<DataArray>;
  to(device: string): Promise<CoreTensor>;
  backward(grad?: CoreTensor): void;
  dispose(): void;
  [op: string]: any;
}

/**
 * The functions of `@tessera/core` the op-level checks call.
 * @example
 * const api = loadCoreApi().api as CoreApi;
 * api.tensor(new Float32Array([1, 2, 3]), { device: 'reference' });
 */
export interface CoreApi {
  tensor(data: DataArray | number | number[], options?: { dtype?: DType; requiresGrad?: boolean; device?: string }): CoreTensor;
  registerBackend(plugin: BackendPlugin): void;
  setBackend(name: string): Promise<void>;
  getBackend(): string;
  listBackends(): string[];
  where(condition: CoreTensor, a: CoreTensor, b: CoreTensor): CoreTensor;
  cat(tensors: CoreTensor[], dim?: number): CoreTensor;
  stack(tensors: CoreTensor[], dim?: number): CoreTensor;
  split(x: CoreTensor, sizeOrSections: number | number[], dim?: number): CoreTensor[];
  chunk(x: CoreTensor, chunks: number, dim?: number): CoreTensor[];
  oneHot(indices: CoreTensor, numClasses?: number): CoreTensor;
  /** `activation(a · b + bias)`; optional so that the kit still loads with a core that predates it. */
  fusedMatmul?(a: CoreTensor, b: CoreTensor, options?: { bias?: CoreTensor | null; activation?: FusedActivation }): CoreTensor;
  /** Run `fn` and dispose every tensor it made except what it returns. */
  tidy<T>(fn: () => T): T;
}

/**
 * `@tessera/core/testing`'s gradcheck: resolves (or returns) true, or throws with the mismatch.
 * @example
 * await gradcheck((x) => x.mul(x).sum(), [api.tensor(new Float64Array([1, 2]), { requiresGrad: true })]);
 */
export type Gradcheck = (fn: (...inputs: CoreTensor[]) => CoreTensor, inputs: CoreTensor[]) => boolean | Promise<boolean>;

/** Names the op-level suite cannot run without. */
const REQUIRED: readonly (keyof CoreApi)[] = ['tensor', 'registerBackend', 'setBackend', 'getBackend', 'listBackends', 'tidy'];

/**
 * Core's API, or the list of missing names.
 * @example
 * const { api, missing } = loadCoreApi();
 * if (missing.length > 0) console.warn(`core lacks ${missing.join(', ')}`);
 */
export function loadCoreApi(): { api: Partial<CoreApi>; missing: string[]; gradcheck: Gradcheck | null } {
  const api = core as unknown as Partial<CoreApi>;
  const missing = REQUIRED.filter((name) => typeof api[name] !== 'function');
  const gradcheck = (coreTesting as unknown as { gradcheck?: Gradcheck }).gradcheck;
  return { api, missing, gradcheck: typeof gradcheck === 'function' ? gradcheck : null };
}

/**
 * Whether a value is a core tensor (has a shape and an async `data`).
 * @example
 * isCoreTensor(api.tensor(new Float32Array(2))); // true
 * isCoreTensor([1, 2]);                          // false
 */
export function isCoreTensor(value: unknown): value is CoreTensor {
  return typeof value === 'object' && value !== null && Array.isArray((value as CoreTensor).shape) && typeof (value as CoreTensor).data === 'function';
}
