/**
 * The plumbing shared by every family: a {@link Suite} that owns the backend under test and the
 * reference backend and declares checks, and a {@link KernelSession} that uploads the same host
 * data to both, runs, reads back and frees everything a check allocated.
 */
import { fromFloat16Bits } from '@tessera/core';
import { ReferenceBackend } from '@tessera/core/testing';
import { it } from 'vitest';
import { createRng, layoutView, randomData, randomView, seedFor, sizeOf, type Rng, type ValueDomain, type ViewKind, type ViewSpec } from './generators';
import { isSkipped, type ResolvedOptions } from './options';
import { toleranceFor, type Tolerance } from './tolerance';
import type { Backend, BackendPlugin, DataArray, DataId, DType, OptionalKernelName, OutputBuffer, StridedView } from '@tessera/core/backend';

/**
 * The same thing on the backend under test and on the reference backend.
 * @example
 * const out: Pair<OutputBuffer> = session.output('float32', [3]);
 */
export interface Pair<T> {
  readonly plugin: T;
  readonly reference: T;
}

/**
 * An uploaded input: its view on both backends, the layout and the host data of its buffer.
 * @example
 * const out: Pair<OutputBuffer> = session.output('float32', [3]);
 */
export interface PairedInput extends Pair<StridedView> {
  readonly spec: ViewSpec;
  readonly data: DataArray;
  readonly dtype: DType;
}

/**
 * Buffers of one check on both backends; {@link KernelSession.dispose} frees all of them.
 * @example
 * const x = session.randomInput(rng, [3, 4], 'flipped', 'float32', { kind: 'uniform', low: -1, high: 1 });
 * const out = session.output('float32', [3, 4]);
 * session.backend.unary('exp', x.plugin, out.plugin);
 * session.reference.unary('exp', x.reference, out.reference);
 * const { actual, expected } = await session.read(out);
 */
export class KernelSession {
  private readonly owned: { backend: Backend; id: DataId }[] = [];

  constructor(
    readonly backend: Backend,
    readonly reference: ReferenceBackend,
  ) {}

  /** Whether the backend accepts strided inputs (otherwise every generated view is contiguous). */
  get stridedInputs(): boolean {
    return this.backend.capabilities.stridedInputs;
  }

  /** A random view of `shape` of `kind`, or a contiguous one for backends without strided inputs. */
  view(rng: Rng, shape: readonly number[], kind: ViewKind): ViewSpec {
    return this.stridedInputs ? randomView(rng, shape, kind) : layoutView(shape, {}, 'contiguous');
  }

  /** Allocate a buffer on `backend`, remembered for {@link dispose}. */
  allocate(backend: Backend, size: number, dtype: DType): DataId {
    const id = backend.alloc(size, dtype);
    this.owned.push({ backend, id });
    return id;
  }

  /** Upload the whole buffer `data` behind `spec` to both backends. */
  upload(spec: ViewSpec, dtype: DType, data: DataArray): PairedInput {
    if (data.length !== spec.bufferSize) throw new Error(`harness: ${data.length} values for a buffer of ${spec.bufferSize}`);
    const make = (backend: Backend): StridedView => {
      const id = this.allocate(backend, spec.bufferSize, dtype);
      if (data.length > 0) backend.write(id, data);
      return { id, dtype, shape: spec.shape, strides: spec.strides, offset: spec.offset };
    };
    return { plugin: make(this.backend), reference: make(this.reference), spec, data, dtype };
  }

  /** Upload to the reference backend only (used for error magnitudes). */
  uploadReference(spec: ViewSpec, dtype: DType, data: DataArray): StridedView {
    const id = this.allocate(this.reference, spec.bufferSize, dtype);
    if (data.length > 0) this.reference.write(id, data);
    return { id, dtype, shape: spec.shape, strides: spec.strides, offset: spec.offset };
  }

  /** A random view of random data, uploaded to both backends. */
  randomInput(rng: Rng, shape: readonly number[], kind: ViewKind, dtype: DType, domain: ValueDomain): PairedInput {
    const spec = this.view(rng, shape, kind);
    return this.upload(spec, dtype, randomData(rng, dtype, spec.bufferSize, domain));
  }

  /** A contiguous input holding exactly `data`, uploaded to both backends. */
  contiguousInput(shape: readonly number[], dtype: DType, data: DataArray): PairedInput {
    return this.upload(layoutView(shape, {}, 'contiguous'), dtype, data);
  }

  /** A fresh output buffer of `shape` on both backends. */
  output(dtype: DType, shape: readonly number[]): Pair<OutputBuffer> {
    const size = sizeOf(shape);
    return {
      plugin: { id: this.allocate(this.backend, size, dtype), dtype, shape },
      reference: { id: this.allocate(this.reference, size, dtype), dtype, shape },
    };
  }

  /** A fresh output buffer on the reference backend only. */
  referenceOutput(dtype: DType, shape: readonly number[]): OutputBuffer {
    return { id: this.allocate(this.reference, sizeOf(shape), dtype), dtype, shape };
  }

  /**
   * Read an output from both backends (the plugin through its async `read`) as values to compare:
   * float16 bit patterns come back widened to a Float32Array.
   */
  async read(out: Pair<OutputBuffer>): Promise<{ actual: DataArray; expected: DataArray }> {
    const size = sizeOf(out.plugin.shape);
    const actual = await this.backend.read(out.plugin.id, out.plugin.dtype, 0, size);
    return { actual: valuesOf(out.plugin.dtype, actual), expected: this.referenceData(out.reference) };
  }

  /** The contents of a reference buffer, as values (float16 widened to a Float32Array). */
  referenceData(out: OutputBuffer): DataArray {
    return valuesOf(out.dtype, this.reference.readSync(out.id, out.dtype, 0, sizeOf(out.shape)));
  }

  /** Free every buffer this session allocated (buffers freed earlier by the check are skipped). */
  dispose(): void {
    for (const { backend, id } of this.owned) {
      if (!this.released.has(id)) backend.free(id);
    }
    this.owned.length = 0;
    this.released.clear();
  }

  /** Free one buffer now (e.g. to test that a backend defers the free until queued work is done). */
  release(backend: Backend, id: DataId): void {
    this.released.add(id);
    backend.free(id);
  }

  private readonly released = new Set<DataId>();
}

/**
 * Boundary data as comparable values: float16 bit patterns widen (exactly) to a Float32Array, with a
 * clear error when a backend returned something other than a Uint16Array for float16.
 * @example
 * valuesOf('float16', new Uint16Array([0x3c00])); // Float32Array [1]
 */
export function valuesOf(dtype: DType, data: DataArray): DataArray {
  if (dtype !== 'float16') return data;
  if (!(data instanceof Uint16Array)) {
    throw new Error(`read of a float16 buffer returned ${Object.prototype.toString.call(data)}, expected a Uint16Array of bit patterns`);
  }
  return fromFloat16Bits(data);
}

/**
 * What a check's body receives.
 * @example
 * suite.check('fill writes a value', 'fill:float32', async ({ session, rng, tolerance }) => { … });
 */
export interface CheckContext {
  /** Test data generator seeded from the suite seed and the check's key. */
  readonly rng: Rng;
  readonly session: KernelSession;
  readonly backend: Backend;
  readonly reference: ReferenceBackend;
  readonly options: ResolvedOptions;
  /** The tolerance of a dtype (null: exact). */
  tolerance(dtype: DType): Tolerance | null;
}

/**
 * When a check applies.
 * @example
 * suite.check('softmax …', 'softmax:float64', body, { dtype: 'float64', kernel: 'softmax' });
 */
export interface CheckRequirement {
  /** Run only when the suite tests this dtype. */
  readonly dtype?: DType;
  /** Run only when the backend has these dtypes (e.g. a cast's source and target). */
  readonly dtypes?: readonly DType[];
  /** Run only when the backend implements this optional kernel. */
  readonly kernel?: OptionalKernelName;
  /** A case past a million elements: skipped when `large` is off. */
  readonly large?: boolean;
}

/**
 * One conformance run: the plugin's backend, the reference backend and the options.
 * Families call {@link Suite.check} at collection time; backends are created in `beforeAll`.
 * @example
 * suite.check('exp matches the reference', 'unary.exp:float32', async ({ session }) => { … }, { dtype: 'float32' });
 */
export class Suite {
  private created: { backend: Backend; reference: ReferenceBackend } | null = null;

  constructor(
    readonly plugin: BackendPlugin,
    readonly options: ResolvedOptions,
  ) {}

  /** Create the backend under test and the reference backend (called from `beforeAll`). */
  async setUp(): Promise<void> {
    const backend = await this.plugin.create();
    this.created = { backend, reference: new ReferenceBackend() };
  }

  /** Dispose both backends (called from `afterAll`). */
  tearDown(): void {
    this.created?.backend.dispose?.();
    this.created?.reference.dispose();
    this.created = null;
  }

  /** The backend under test. */
  get backend(): Backend {
    if (!this.created) throw new Error(`conformance: the ${this.plugin.name} backend was not created (did create() fail?)`);
    return this.created.backend;
  }

  /** The reference backend. */
  get reference(): ReferenceBackend {
    if (!this.created) throw new Error('conformance: the reference backend was not created');
    return this.created.reference;
  }

  /** The dtypes under test: the requested ones the backend supports (default: all it supports). */
  get dtypes(): readonly DType[] {
    const supported = this.backend.capabilities.dtypes;
    return (this.options.dtypes ?? supported).filter((dtype) => supported.includes(dtype));
  }

  /** Why a requirement is not met, or null when the check can run. */
  unmetRequirement(requirement: CheckRequirement): string | null {
    for (const dtype of [...(requirement.dtype ? [requirement.dtype] : []), ...(requirement.dtypes ?? [])]) {
      if (!this.dtypes.includes(dtype)) return `${dtype} is not tested on ${this.plugin.name}`;
    }
    if (requirement.kernel && typeof this.backend[requirement.kernel] !== 'function') {
      return `${this.plugin.name} has no optional ${requirement.kernel} kernel (core uses its composite)`;
    }
    return null;
  }

  /**
   * Declare one check. Its test name ends with `[key]`; `options.skip` matches keys.
   */
  check(title: string, key: string, body: (context: CheckContext) => Promise<void> | void, requirement: CheckRequirement = {}): void {
    const name = `${title} [${key}]`;
    if (isSkipped(key, this.options.skip) || (requirement.large && !this.options.large)) {
      it.skip(name, () => {});
      return;
    }
    it(name, async (testContext) => {
      const unmet = this.unmetRequirement(requirement);
      if (unmet) {
        testContext.skip(unmet);
        return;
      }
      const context = createCheckContext(this.backend, this.reference, this.options, key);
      try {
        await body(context);
      } finally {
        context.session.dispose();
      }
    });
  }
}

/**
 * The context a check's body runs with: a fresh session on both backends and test data seeded from
 * the suite seed and the check's key. The caller disposes `context.session`. {@link Suite.check} uses
 * it; the kit's own tests use it to run a check's body against a deliberately broken backend.
 * @example
 * const context = createCheckContext(backend, new ReferenceBackend(), resolveOptions(), 'matmul:float32');
 * try { await body(context); } finally { context.session.dispose(); }
 */
export function createCheckContext(backend: Backend, reference: ReferenceBackend, options: ResolvedOptions, key: string): CheckContext {
  return {
    rng: createRng(seedFor(options.seed, key)),
    session: new KernelSession(backend, reference),
    backend,
    reference,
    options,
    tolerance: (dtype) => toleranceFor(dtype, options.tolerances),
  };
}
