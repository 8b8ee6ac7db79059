/**
 * The Tensor handle: `{ storage, shape, strides, offset, dtype }` plus autograd state.
 * Methods are thin: validation, broadcasting and dispatch live in `ops/`, gradients in each op's rule.
 */
import type { DataArray, DType } from '../backend/backend';
import { assertBackendPresent, backendName, ensureBackend } from '../backend/registry';
import { backward as runBackward, type BackwardOptions } from '../autograd/backward';
import { GradNode } from '../autograd/node';
import { addHook, type RemovableHandle, type TensorHook } from '../autograd/hooks';
import { AutogradError, BackendError, DisposedError, DTypeError } from '../errors';
import { isFloating } from '../dtype';
import { unwatchForLeaks, watchForLeaks } from '../memory/leak-detector';
import { adoptIntoCurrentScope, TENSOR_BRAND, type Scope } from '../memory/scope';
import { contiguousStrides, formatShape, isContiguous, sizeOf } from '../shape';
import type { Storage } from './storage';
import * as binary from '../ops/binary';
import * as unary from '../ops/unary';
import * as reduce from '../ops/reduce';
import * as views from '../ops/view';
import * as indexing from '../ops/indexing';
import * as join from '../ops/join';
import * as softmaxOps from '../ops/softmax';
import { castTo } from '../ops/cast';
import { matmul } from '../ops/matmul';
import { cumsum } from '../ops/scan';
import { assignInto } from '../ops/assign';
import * as inPlace from '../ops/in-place';
import * as sorting from '../ops/sort';
import * as sampling from '../ops/random-sampling';
import * as predicates from '../ops/predicates';
import * as selection from '../ops/data-dependent';
import * as products from '../ops/products';
import * as advanced from '../ops/advanced-indexing';
import { clamp as clampBounds, clampMax, clampMin } from '../ops/clamp-bounds';
import { diag } from '../ops/diagonal';
import { norm, type NormOrder } from '../ops/norm';
import { repeat, tile } from '../ops/repeat';
import { readData, readDataSync, toNested, transfer, type NestedArray } from './read';
import { formatTensor } from './format';

/** A number or a tensor: what binary ops accept as their other operand. */
export type TensorOrScalar = Tensor | number | boolean;

let nextTensorId = 0;
let liveTensors = 0;

/** Number of live (not disposed) tensor handles in this core, including internal ones. */
export function liveTensorCount(): number {
  return liveTensors;
}

/**
 * What a handle holds on to: freed by `dispose()`, or by the leak detector after the handle itself was
 * garbage-collected. Kept apart from the handle so the detector can hold it without keeping the handle alive.
 */
interface Remains {
  readonly storage: Storage;
  /** Counted among the storage's user-visible handles. */
  readonly visible: boolean;
  gradFn: GradNode | null;
  grad: Tensor | null;
}

function freeRemains(remains: Remains): void {
  liveTensors--;
  if (remains.visible) remains.storage.removeVisibleHandle();
  remains.storage.release();
  remains.gradFn?.release();
  remains.gradFn = null;
  const grad = remains.grad;
  remains.grad = null;
  grad?.dispose();
}

/** Options for creating a handle over a storage (internal). */
interface HandleOptions {
  /** Track in the current scope and watch for leaks (user-visible tensors); default true. */
  track?: boolean;
  /** Watch for leaks even when untracked (handles users hold but scopes must not free, like `.grad`); default `track`. */
  watch?: boolean;
}

/**
 * An n-dimensional array on a backend, with automatic differentiation.
 * Create tensors with `tensor()`, `zeros()`, `randn()`…; free them with `dispose()`, `tidy()` or a `scope()`.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * await x.grad!.array(); // [[2, 4], [6, 8]]
 */
export class Tensor {
  /** A unique id, handy for debugging. */
  readonly id = nextTensorId++;
  private readonly remains: Remains;
  /** @internal The scope that will dispose this tensor. */
  scope: Scope | null = null;
  /**
   * @internal `storage.rebases` when this handle's history last described its data; −1 for data-only
   * handles (detach()), which have no history to go stale. See `Storage.rebases`.
   */
  historyAt: number;
  private requiresGradFlag = false;
  private disposedFlag = false;

  /** @internal Use the creation functions (`tensor`, `zeros`, …) instead. */
  constructor(
    /** @internal */ readonly storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
    options: HandleOptions = {},
  ) {
    const visible = options.track !== false;
    const remains: Remains = { storage, visible, gradFn: null, grad: null };
    this.remains = remains;
    this.historyAt = storage.rebases;
    liveTensors++;
    if (visible) {
      storage.addVisibleHandle();
      adoptIntoCurrentScope(this);
    }
    if (options.watch ?? options.track !== false) {
      watchForLeaks(
        this,
        () => `of shape ${formatShape(shape)} (${storage.dtype}, ${backendName(storage.backend)})`,
        () => freeRemains(remains),
      );
    }
  }

  /** The gradient accumulated by `backward()` (leaf tensors, or after `retainGrad()`). */
  get grad(): Tensor | null {
    return this.remains.grad;
  }

  set grad(value: Tensor | null) {
    this.remains.grad = value;
  }

  /** @internal The op that produced this tensor, when autograd recorded it. */
  get gradFn(): GradNode | null {
    return this.remains.gradFn;
  }

  set gradFn(node: GradNode | null) {
    this.remains.gradFn = node;
  }

  /** @internal A contiguous handle over a fresh storage. */
  static fromStorage(storage: Storage, shape: readonly number[], options?: HandleOptions): Tensor {
    return new Tensor(storage, shape, contiguousStrides(shape), 0, options);
  }

  // ---------------------------------------------------------------- metadata

  /** Element type. */
  get dtype(): DType {
    return this.storage.dtype;
  }

  /** Name of the backend holding the data (`'cpu'`, `'webgpu'`, …). */
  get device(): string {
    return backendName(this.storage.backend);
  }

  /** Number of elements (PyTorch's `numel()`). */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements (same as `size`). */
  numel(): number {
    return this.size;
  }

  /** Whether the data is laid out row-major without gaps. */
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** Whether `dispose()` has been called (directly or by a scope). */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Whether gradients flow to this tensor. Settable on leaf tensors of a floating dtype. */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    this.assertLive('requiresGrad');
    if (!value && this.gradFn) {
      throw new AutogradError('requiresGrad: cannot turn gradients off on a non-leaf tensor; use detach() instead');
    }
    if (value && !isFloating(this.dtype)) {
      throw new DTypeError(`requiresGrad: only floating-point tensors can require gradients, got ${this.dtype}`);
    }
    this.requiresGradFlag = value;
    if (!this.gradFn) this.storage.ofLeafRequiringGrad = value;
  }

  /** Set `requiresGrad` and return this tensor (chainable). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /**
   * The version counter of this tensor's storage (PyTorch's `_version`): how many in-place writes
   * (in-place ops, `assign`) it has seen. Views share it; backward refuses saved tensors written since saved.
   * @example
   * const x = zeros([2]);
   * x.add_(1).version; // 1
   */
  get version(): number {
    return this.storage.version;
  }

  /** Whether this tensor is a leaf of the graph (made by the user, not by a recorded op). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** @internal Mark as the output of a recorded op. */
  attachGradFn(node: GradNode): void {
    // Re-recording (e.g. an op built from a recorded clone) replaces the earlier node.
    this.gradFn?.release();
    this.gradFn = node;
    this.requiresGradFlag = true;
  }

  /** @internal Throw a DisposedError if this tensor was disposed. */
  assertLive(op: string): void {
    assertBackendPresent(this.storage.backend, op);
    if (this.disposedFlag) {
      throw new DisposedError(
        `${op}: tensor #${this.id} of shape ${formatShape(this.shape)} (${this.dtype}) was already disposed ` +
          '(by dispose(), or by the tidy()/scope() it was made in); keep it with keep() or return it from tidy()',
      );
    }
  }

  // ---------------------------------------------------------------- lifetime

  /** Free this handle; the storage is freed when no other view uses it. Safe to call twice. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    unwatchForLeaks(this);
    this.scope?.untrack(this);
    freeRemains(this.remains);
  }

  /** `using t = …` support. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal A handle sharing this storage, untracked by scopes; `keepGraph` keeps autograd links. */
  shareInternal(keepGraph: boolean): Tensor {
    return this.share(keepGraph, false);
  }

  /** @internal A handle sharing this storage; `track` makes it user-visible (scopes, leak checks), `watch` only leak-checked. */
  share(keepGraph: boolean, track: boolean, watch = track): Tensor {
    this.assertLive('share');
    const handle = new Tensor(this.storage.retain(), this.shape, this.strides, this.offset, { track, watch });
    handle.historyAt = keepGraph ? this.historyAt : -1;
    if (keepGraph && this.requiresGradFlag) {
      handle.requiresGradFlag = true;
      if (this.gradFn) {
        this.gradFn.retain();
        handle.gradFn = this.gradFn;
      } else {
        // A new handle of a leaf would be a separate leaf; an identity node routes its gradient to this one.
        handle.gradFn = new GradNode('alias', [this], [], null, (grad) => [grad], this.shape);
      }
    }
    return handle;
  }

  /**
   * A new tensor sharing this data, cut from the graph (no gradient flows through it).
   * @example
   * const frozen = w.detach();
   */
  detach(): Tensor {
    this.assertLive('detach');
    const detached = new Tensor(this.storage.retain(), this.shape, this.strides, this.offset);
    detached.historyAt = -1;
    return detached;
  }

  /**
   * A copy with its own storage (gradients flow through it).
   * @example
   * const copy = x.clone();
   */
  clone(): Tensor {
    return views.clone(this);
  }

  /** Keep the gradient of this non-leaf tensor in `.grad` after backward (a no-op on leaves, which always do). */
  retainGrad(): this {
    this.assertLive('retainGrad');
    if (!this.requiresGradFlag) {
      throw new AutogradError(`retainGrad: tensor #${this.id} of shape ${formatShape(this.shape)} does not require grad, so it gets no gradient`);
    }
    if (this.gradFn) this.gradFn.retainedFor = new WeakRef(this);
    return this;
  }

  /**
   * Call `hook(grad)` whenever backward computes this tensor's gradient (PyTorch's `register_hook`).
   * The hook may return a tensor of the same shape to use instead: it then flows on to the inputs
   * (non-leaf) or into `.grad` (leaf). Hooks run in registration order, before `retainGrad` stores `.grad`.
   * A leaf's hooks see the gradient summed over one backward, before it is added to `.grad`.
   * @example
   * const handle = x.registerHook((g) => g.clamp(-1, 1)); // clip this tensor's gradient
   * handle.remove();
   */
  registerHook(hook: TensorHook): RemovableHandle {
    this.assertLive('registerHook');
    if (typeof hook !== 'function') throw new AutogradError(`registerHook: expected a function, got ${typeof hook}`);
    if (!this.requiresGradFlag) {
      throw new AutogradError(
        `registerHook: tensor #${this.id} of shape ${formatShape(this.shape)} does not require grad, so a hook on it would never run`,
      );
    }
    return addHook(this.gradFn ?? this, hook);
  }

  // ---------------------------------------------------------------- reading

  /**
   * The elements in row-major order, as a new typed array (bool → Uint8Array of 0/1; float16 →
   * Float32Array holding the exact half values, since Node 20 has no Float16Array).
   * @example
   * await tensor([1, 2]).data(); // Float32Array [1, 2]
   */
  data(): Promise<DataArray> {
    return readData(this);
  }

  /**
   * The elements as nested arrays of numbers.
   * @example
   * await tensor([[1, 2]]).array(); // [[1, 2]]
   */
  async array(): Promise<NestedArray> {
    return toNested(await this.data(), this.shape);
  }

  /**
   * The single element of a one-element tensor.
   * @example
   * await tensor([[3]]).item(); // 3
   */
  async item(): Promise<number> {
    this.checkItem();
    return (await this.data())[0];
  }

  /** Synchronous `data()`; only on backends with sync reads (cpu). */
  dataSync(): DataArray {
    return readDataSync(this);
  }

  /** Synchronous `array()`; only on backends with sync reads (cpu). */
  arraySync(): NestedArray {
    return toNested(this.dataSync(), this.shape);
  }

  /** Synchronous `item()`; only on backends with sync reads (cpu). */
  itemSync(): number {
    this.checkItem();
    return this.dataSync()[0];
  }

  /**
   * Whether `dataSync()`, `arraySync()` and `itemSync()` work here: the tensor's backend reads
   * synchronously (cpu does, webgpu does not). Lets library code take a sync fast path safely.
   * @example
   * const value = t.canReadSync ? t.itemSync() : await t.item();
   */
  get canReadSync(): boolean {
    const backend = this.storage.backend;
    return backend.capabilities.syncRead && backend.readSync !== undefined;
  }

  private checkItem(): void {
    this.assertLive('item');
    if (this.size !== 1) {
      throw new BackendError(`item: the tensor has ${this.size} elements (shape ${formatShape(this.shape)}); item() needs exactly one`);
    }
  }

  /**
   * A copy on another backend (gradients flow back across).
   * @example
   * const onGpu = await x.to('webgpu');
   */
  async to(device: string): Promise<Tensor> {
    this.assertLive('to');
    return transfer(this, await ensureBackend(device));
  }

  /** Human-readable contents (reads synchronously when the backend can, else shows metadata). */
  toString(): string {
    return formatTensor(this);
  }

  /** Node's `util.inspect` (console.log) support. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---------------------------------------------------------------- autograd

  /**
   * Backpropagate from this tensor, accumulating into `.grad` of the leaves.
   * A non-scalar needs an explicit gradient of its shape.
   * @example
   * loss.backward();
   */
  backward(grad?: Tensor, options?: BackwardOptions): void {
    runBackward([this], grad ? [grad] : undefined, options);
  }

  // ---------------------------------------------------------------- dtype

  /** Convert to `dtype` (returns this tensor's copy even when the dtype is unchanged). */
  cast(dtype: DType): Tensor {
    return castTo(this, dtype);
  }

  /** Same as `cast(dtype)`; named like PyTorch's `.to(dtype)` without the device part. */
  toType(dtype: DType): Tensor {
    return castTo(this, dtype);
  }

  /** `cast('float32')`. */
  float(): Tensor {
    return castTo(this, 'float32');
  }

  /** `cast('float64')`. */
  double(): Tensor {
    return castTo(this, 'float64');
  }

  /**
   * `cast('float16')`: round to IEEE half precision (the backend must list float16). Reads of the
   * result still give numbers (a Float32Array), and gradients flowing back are float16 too.
   * @example
   * const h = tensor([0.1, 70000]).half();
   * await h.data(); // Float32Array [0.0999755859375, Infinity]
   */
  half(): Tensor {
    return castTo(this, 'float16');
  }

  /** `cast('int32')`. */
  int(): Tensor {
    return castTo(this, 'int32');
  }

  /** `cast('bool')`. */
  bool(): Tensor {
    return castTo(this, 'bool');
  }

  // ---------------------------------------------------------------- arithmetic

  /** Element-wise `this + other` (broadcasting). @example x.add(1) */
  add(other: TensorOrScalar): Tensor {
    return binary.add(this, other);
  }
  /** Element-wise `this − other`. @example x.sub(y) */
  sub(other: TensorOrScalar): Tensor {
    return binary.sub(this, other);
  }
  /** Element-wise `this · other`. @example x.mul(2) */
  mul(other: TensorOrScalar): Tensor {
    return binary.mul(this, other);
  }
  /** Element-wise true division (integers divide as floats). @example x.div(3) */
  div(other: TensorOrScalar): Tensor {
    return binary.div(this, other);
  }
  /** Element-wise power. @example x.pow(2) */
  pow(exponent: TensorOrScalar): Tensor {
    return binary.pow(this, exponent);
  }
  /** Element-wise maximum (NaN propagates). @example x.maximum(0) */
  maximum(other: TensorOrScalar): Tensor {
    return binary.maximum(this, other);
  }
  /** Element-wise minimum (NaN propagates). @example x.minimum(1) */
  minimum(other: TensorOrScalar): Tensor {
    return binary.minimum(this, other);
  }
  /** `this == other` → bool. @example x.eq(0) */
  eq(other: TensorOrScalar): Tensor {
    return binary.compare('eq', this, other);
  }
  /** `this != other` → bool. */
  ne(other: TensorOrScalar): Tensor {
    return binary.compare('ne', this, other);
  }
  /** `this < other` → bool. */
  lt(other: TensorOrScalar): Tensor {
    return binary.compare('lt', this, other);
  }
  /** `this <= other` → bool. */
  le(other: TensorOrScalar): Tensor {
    return binary.compare('le', this, other);
  }
  /** `this > other` → bool. */
  gt(other: TensorOrScalar): Tensor {
    return binary.compare('gt', this, other);
  }
  /** `this >= other` → bool. */
  ge(other: TensorOrScalar): Tensor {
    return binary.compare('ge', this, other);
  }
  /** Logical and of two bool-convertible tensors. */
  logicalAnd(other: TensorOrScalar): Tensor {
    return binary.compare('logicalAnd', this, other);
  }
  /** Logical or. */
  logicalOr(other: TensorOrScalar): Tensor {
    return binary.compare('logicalOr', this, other);
  }
  /** Logical not → bool. */
  logicalNot(): Tensor {
    return unary.logicalNot(this);
  }
  /** `condition ? this : other`, i.e. `where(condition, this, other)`. @example x.where(mask, 0) */
  where(condition: Tensor, other: TensorOrScalar): Tensor {
    return binary.where(condition, this, other);
  }
  /** Clamp into `[min, max]`; bounds are numbers or tensors (broadcast), either may be omitted. @example x.clamp(0, 1) */
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
    return clampBounds(this, min, max);
  }
  /** `max(this, min)` with a number or tensor bound (PyTorch's `clamp_min`). @example x.clampMin(floor) */
  clampMin(min: TensorOrScalar): Tensor {
    return clampMin(this, min);
  }
  /** `min(this, max)` with a number or tensor bound (PyTorch's `clamp_max`). @example x.clampMax(1) */
  clampMax(max: TensorOrScalar): Tensor {
    return clampMax(this, max);
  }

  /** −x */ neg(): Tensor {
    return unary.unaryOp('neg', this);
  }
  /** |x| */ abs(): Tensor {
    return unary.unaryOp('abs', this);
  }
  /** sign(x) ∈ {−1, 0, 1} */ sign(): Tensor {
    return unary.unaryOp('sign', this);
  }
  /** eˣ */ exp(): Tensor {
    return unary.unaryOp('exp', this);
  }
  /** ln x */ log(): Tensor {
    return unary.unaryOp('log', this);
  }
  /** √x */ sqrt(): Tensor {
    return unary.unaryOp('sqrt', this);
  }
  /** 1/√x */ rsqrt(): Tensor {
    return unary.unaryOp('rsqrt', this);
  }
  /** sin x */ sin(): Tensor {
    return unary.unaryOp('sin', this);
  }
  /** cos x */ cos(): Tensor {
    return unary.unaryOp('cos', this);
  }
  /** tanh x */ tanh(): Tensor {
    return unary.unaryOp('tanh', this);
  }
  /** 1/(1+e⁻ˣ) */ sigmoid(): Tensor {
    return unary.unaryOp('sigmoid', this);
  }
  /** max(x, 0) */ relu(): Tensor {
    return unary.unaryOp('relu', this);
  }
  /** The error function. */ erf(): Tensor {
    return unary.unaryOp('erf', this);
  }
  /** 1/x */ reciprocal(): Tensor {
    return unary.unaryOp('reciprocal', this);
  }
  /** ⌊x⌋ */ floor(): Tensor {
    return unary.unaryOp('floor', this);
  }
  /** ⌈x⌉ */ ceil(): Tensor {
    return unary.unaryOp('ceil', this);
  }
  /** Round half to even. */ round(): Tensor {
    return unary.unaryOp('round', this);
  }
  /** x² */ square(): Tensor {
    return binary.mul(this, this);
  }

  /**
   * Matrix product with PyTorch's `matmul` rules (1-D, 2-D, batched with broadcasting).
   * @example
   * randn([8, 3, 4]).matmul(randn([4, 5])).shape; // [8, 3, 5]
   */
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  // ---------------------------------------------------------------- reductions

  /** Sum over `dim` (all dims when omitted). @example x.sum(-1, true) */
  sum(dim?: number | number[], keepdim = false): Tensor {
    return reduce.sum(this, dim, keepdim);
  }
  /** Mean over `dim`. */
  mean(dim?: number | number[], keepdim = false): Tensor {
    return reduce.mean(this, dim, keepdim);
  }
  /** Product over `dim`. */
  prod(dim?: number | number[], keepdim = false): Tensor {
    return reduce.prod(this, dim, keepdim);
  }
  /**
   * Maximum. Without `dim`: the overall maximum (a 0-d tensor). With `dim`: `{ values, indices }`.
   * @example
   * const { values, indices } = x.max(1);
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? reduce.extremum('max', this) : reduce.extremumAlong('max', this, dim, keepdim);
  }
  /** Minimum; like {@link Tensor.max}. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? reduce.extremum('min', this) : reduce.extremumAlong('min', this, dim, keepdim);
  }
  /** Maximum over several dims (values only; gradient shared among ties). @example x.amax([1, 2]) */
  amax(dim?: number | number[], keepdim = false): Tensor {
    return reduce.amax('max', this, dim, keepdim);
  }
  /** Minimum over several dims (values only). */
  amin(dim?: number | number[], keepdim = false): Tensor {
    return reduce.amax('min', this, dim, keepdim);
  }
  /** Variance with Bessel's correction by default (`correction = 1`). @example x.var(0) */
  var(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return reduce.variance(this, dim, keepdim, correction);
  }
  /** Standard deviation (`correction = 1` by default). */
  std(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return reduce.variance(this, dim, keepdim, correction).sqrt();
  }
  /** Index of the maximum (over the flattened tensor when `dim` is omitted). @example logits.argmax(-1) */
  argmax(dim?: number, keepdim = false): Tensor {
    return reduce.argExtremum('argmax', this, dim, keepdim);
  }
  /** Index of the minimum. */
  argmin(dim?: number, keepdim = false): Tensor {
    return reduce.argExtremum('argmin', this, dim, keepdim);
  }
  /** log Σ eˣ, computed stably. @example logits.logsumexp(-1) */
  logsumexp(dim?: number | number[], keepdim = false): Tensor {
    return reduce.logsumexp(this, dim, keepdim);
  }
  /** Softmax along `dim` (default −1). @example logits.softmax(-1) */
  softmax(dim = -1): Tensor {
    return softmaxOps.softmax(this, dim);
  }
  /** Log-softmax along `dim` (default −1), stable. */
  logSoftmax(dim = -1): Tensor {
    return softmaxOps.logSoftmax(this, dim);
  }
  /** Inclusive cumulative sum along `dim`. @example tensor([1, 2, 3]).cumsum(0) // [1, 3, 6] */
  cumsum(dim: number): Tensor {
    return cumsum(this, dim);
  }

  // ---------------------------------------------------------------- shape

  /** A tensor of a new shape with the same elements (a view when strides allow, else a copy). One dim may be −1. */
  reshape(shape: readonly number[]): Tensor {
    return views.reshape(this, shape);
  }
  /** Like `reshape`, but always a view: fails if the strides do not allow one. */
  view(shape: readonly number[]): Tensor {
    return views.view(this, shape);
  }
  /** Merge dims `startDim..endDim` into one. @example x.flatten(1) */
  flatten(startDim = 0, endDim = -1): Tensor {
    return views.flatten(this, startDim, endDim);
  }
  /** Reorder dims. @example x.permute([2, 0, 1]) */
  permute(dims: readonly number[]): Tensor {
    return views.permute(this, dims);
  }
  /** Swap two dims (default the last two). */
  transpose(dim0 = -2, dim1 = -1): Tensor {
    return views.transpose(this, dim0, dim1);
  }
  /** All dims reversed (for a matrix, its transpose). */
  get T(): Tensor {
    return views.permute(this, this.shape.map((_, i) => this.ndim - 1 - i));
  }
  /** Remove size-1 dims (all, or the given ones). */
  squeeze(dim?: number | number[]): Tensor {
    return views.squeeze(this, dim);
  }
  /** Insert a size-1 dim at `dim`. */
  unsqueeze(dim: number): Tensor {
    return views.unsqueeze(this, dim);
  }
  /** Broadcast to `shape` without copying (−1 keeps a dim). @example bias.expand([32, -1]) */
  expand(shape: readonly number[]): Tensor {
    return views.expand(this, shape);
  }
  /** Broadcast to another tensor's shape. */
  expandAs(other: Tensor): Tensor {
    return views.expand(this, other.shape);
  }
  /** `length` elements of `dim` starting at `start` (a view). @example x.narrow(0, 1, 2) */
  narrow(dim: number, start: number, length: number): Tensor {
    return views.narrow(this, dim, start, length);
  }
  /** Python-style slice of one dim: `start:end:step` (negative indices allowed; a view). @example x.slice(1, 0, -1, 2) */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return views.slice(this, dim, start, end, step);
  }
  /** Index one position of `dim`, removing that dim (a view). @example x.select(0, -1) */
  select(dim: number, index: number): Tensor {
    return views.select(this, dim, index);
  }
  /** Reverse the order along `dims` (a view with negative strides). */
  flip(dims: number | number[]): Tensor {
    return views.flip(this, dims);
  }
  /** This tensor laid out contiguously (itself as a new handle when it already is). */
  contiguous(): Tensor {
    return views.contiguous(this);
  }

  // ---------------------------------------------------------------- indexing

  /** PyTorch `gather`: pick along `dim` by an int32 index. */
  gather(dim: number, index: Tensor): Tensor {
    return indexing.gather(this, dim, index);
  }
  /** Rows (or slices along `dim`) at the positions of a 1-D int32 index. @example table.indexSelect(0, ids) */
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexing.indexSelect(this, dim, index);
  }
  /** Out-of-place `scatter_add`: a copy with `src` added at `index` along `dim`. */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexing.scatterAdd(this, dim, index, src);
  }
  /** Replace elements where `mask` is true by `value`. @example scores.maskedFill(causal, -Infinity) */
  maskedFill(mask: Tensor, value: number): Tensor {
    return indexing.maskedFill(this, mask, value);
  }
  /** Lower triangle of the last two dims (from diagonal `k`). */
  tril(k = 0): Tensor {
    return indexing.tril(this, k);
  }
  /** Upper triangle of the last two dims (from diagonal `k`). */
  triu(k = 0): Tensor {
    return indexing.triu(this, k);
  }
  /**
   * Pad the last dims: `pads = [left, right, top, bottom, …]` as PyTorch's `F.pad`.
   * @example x.pad([1, 1], 'constant', 0)
   */
  pad(pads: readonly number[], mode: join.PadMode = 'constant', value = 0): Tensor {
    return join.pad(this, pads, mode, value);
  }
  /** Split into pieces of `sizeOrSections` along `dim`. */
  split(sizeOrSections: number | number[], dim = 0): Tensor[] {
    return join.split(this, sizeOrSections, dim);
  }
  /** Split into `chunks` nearly equal pieces along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return join.chunk(this, chunks, dim);
  }

  // ---------------------------------------------------------------- sorting, sampling, selection

  /** Stable sort along `dim` (default −1) → `{ values, indices }`. @example x.sort(-1, { descending: true }) */
  sort(dim = -1, options: sorting.SortOptions = {}): sorting.ValuesAndIndices {
    return sorting.sort(this, dim, options);
  }
  /** The stable sorting permutation along `dim` (int32). @example scores.argsort(-1, { descending: true }) */
  argsort(dim = -1, options: sorting.SortOptions = {}): Tensor {
    return sorting.argsort(this, dim, options);
  }
  /** The `k` largest (or smallest) along `options.dim` (default −1) → `{ values, indices }`. @example logits.topk(5) */
  topk(k: number, options: sorting.TopkOptions = {}): sorting.ValuesAndIndices {
    return sorting.topk(this, k, options);
  }
  /** Category indices drawn from these row weights (Philox-seeded). @example probs.multinomial(1) */
  multinomial(numSamples: number, options: sampling.MultinomialOptions = {}): Tensor {
    return sampling.multinomial(this, numSamples, options);
  }
  /** 0/1 draws with these probabilities (Philox-seeded). @example full([3], 0.5).bernoulli() */
  bernoulli(): Tensor {
    return sampling.bernoulli(this);
  }
  /** Vector norm: p = 'fro' (default), 1, 2, ±Infinity, 0 or any number, over `dim`. @example x.norm(2, -1, true) */
  norm(p: NormOrder = 'fro', dim?: number | number[], keepdim = false): Tensor {
    return norm(this, p, dim, keepdim);
  }
  /**
   * PyTorch's `Tensor.repeat`: tile the tensor `repeats[d]` times along each dim (counts as an array or as arguments).
   * @example
   * tensor([1, 2]).repeat(2, 2); // [[1, 2, 1, 2], [1, 2, 1, 2]]
   */
  repeat(...repeats: (number | readonly number[])[]): Tensor {
    return repeat(this, repeats.flat());
  }
  /** `torch.tile`: like `repeat`, padding missing counts with leading 1s. @example x.tile([2]) */
  tile(repeats: readonly number[]): Tensor {
    return tile(this, repeats);
  }
  /** Coordinates of non-zero elements, int32 `[count, ndim]` (sync-read backends; else `nonzeroAsync`). */
  nonzero(): Tensor {
    return selection.nonzero(this);
  }
  /** `nonzero` on every backend. @example const at = await mask.nonzeroAsync() */
  nonzeroAsync(): Promise<Tensor> {
    return selection.nonzeroAsync(this);
  }
  /** Elements where the bool `mask` is true, 1-D (sync-read backends; else `maskedSelectAsync`). */
  maskedSelect(mask: Tensor): Tensor {
    return selection.maskedSelect(this, mask);
  }
  /** `maskedSelect` on every backend. @example await x.maskedSelectAsync(x.gt(0)) */
  maskedSelectAsync(mask: Tensor): Promise<Tensor> {
    return selection.maskedSelectAsync(this, mask);
  }
  /** Distinct values, ascending, with `inverse`/`counts` when asked (sync-read backends; else `uniqueAsync`). */
  unique(options: selection.UniqueOptions = {}): selection.UniqueResult {
    return selection.unique(this, options);
  }
  /** `unique` on every backend. @example const { values } = await ids.uniqueAsync() */
  uniqueAsync(options: selection.UniqueOptions = {}): Promise<selection.UniqueResult> {
    return selection.uniqueAsync(this, options);
  }
  /**
   * PyTorch's `x[...]` in one call: one item per position — integers, ':' , '...', slices ('1::2' or
   * `slice(1, null, 2)`), null (new axis), integer arrays / int32 tensors, boolean masks.
   * @example
   * x.index([':', [0, 2], slice(1, null, 2)]); // x[:, [0, 2], 1::2]
   */
  index(spec: advanced.IndexItem | readonly advanced.IndexItem[]): Tensor {
    return advanced.index(this, spec);
  }
  /** `index` on every backend (bool tensor masks are read asynchronously). @example await x.indexAsync([x.gt(0)]) */
  indexAsync(spec: advanced.IndexItem | readonly advanced.IndexItem[]): Promise<Tensor> {
    return advanced.indexAsync(this, spec);
  }

  // ---------------------------------------------------------------- predicates and products

  /** Where NaN → bool. */ isnan(): Tensor {
    return predicates.isnan(this);
  }
  /** Where ±∞ → bool. */ isinf(): Tensor {
    return predicates.isinf(this);
  }
  /** Where finite → bool. */ isfinite(): Tensor {
    return predicates.isfinite(this);
  }
  /** `|this − other| ≤ atol + rtol·|other|` → bool. @example a.isclose(b, { atol: 1e-6 }) */
  isclose(other: Tensor, options: predicates.CloseOptions = {}): Tensor {
    return predicates.isclose(this, other, options);
  }
  /** Whether every element is close to `other` (async). @example await a.allclose(b) */
  allclose(other: Tensor, options: predicates.CloseOptions = {}): Promise<boolean> {
    return predicates.allclose(this, other, options);
  }
  /** Outer product of two vectors. @example tensor([1, 2]).outer(tensor([3, 4])) */
  outer(other: Tensor): Tensor {
    return products.outer(this, other);
  }
  /** Vector → diagonal matrix, or matrix → its diagonal `offset`. @example x.diag() */
  diag(offset = 0): Tensor {
    return diag(this, offset);
  }
  /** `beta·this + alpha·(m1 @ m2)`. @example bias.addmm(x, w) */
  addmm(m1: Tensor, m2: Tensor, options: products.AddmmOptions = {}): Tensor {
    return products.addmm(this, m1, m2, options);
  }
  /** Batched `addmm`: `beta·this + alpha·(b1 @ b2)`. @example scores.baddbmm(q, k, { beta: 0 }) */
  baddbmm(b1: Tensor, b2: Tensor, options: products.AddmmOptions = {}): Tensor {
    return products.baddbmm(this, b1, b2, options);
  }

  // ---------------------------------------------------------------- in place

  // In-place ops write into this tensor's storage (views see it) and bump its version counter; while
  // autograd records they refuse leaves that require grad and rebase other tensors' history (ops/in-place.ts).

  /**
   * Copy `value`'s elements into this tensor's storage (broadcasting; views see the change).
   * Not recorded by autograd: use it for parameter updates inside `noGrad` (`copy_` is the recorded form).
   * @example
   * noGrad(() => w.assign(w.sub(w.grad!.mul(lr))));
   */
  assign(value: TensorOrScalar): this {
    assignInto(this, value);
    return this;
  }

  /** `this += alpha · other` in place. @example noGrad(() => w.add_(w.grad!, { alpha: -0.1 })) */
  add_(other: TensorOrScalar, options?: inPlace.AlphaOptions): this {
    inPlace.add_(this, other, options);
    return this;
  }
  /** `this −= alpha · other` in place. @example x.sub_(1) */
  sub_(other: TensorOrScalar, options?: inPlace.AlphaOptions): this {
    inPlace.sub_(this, other, options);
    return this;
  }
  /** `this *= other` in place. @example x.mul_(2) */
  mul_(other: TensorOrScalar): this {
    inPlace.mul_(this, other);
    return this;
  }
  /** `this /= other` in place (floating-point tensors). @example x.div_(2) */
  div_(other: TensorOrScalar): this {
    inPlace.div_(this, other);
    return this;
  }
  /** `this **= exponent` in place. @example x.pow_(2) */
  pow_(exponent: TensorOrScalar): this {
    inPlace.pow_(this, exponent);
    return this;
  }
  /** Clamp into `[min, max]` in place. @example x.clamp_(0, 1) */
  clamp_(min?: number | null, max?: number | null): this {
    inPlace.clamp_(this, min, max);
    return this;
  }
  /** Fill with zeros in place. @example x.zero_() */
  zero_(): this {
    inPlace.zero_(this);
    return this;
  }
  /** Fill with `value` in place. @example x.fill_(0.5) */
  fill_(value: number | boolean): this {
    inPlace.fill_(this, value);
    return this;
  }
  /** Copy `src` into this tensor in place (broadcast, converted; gradients flow to `src`). @example x.copy_(y) */
  copy_(src: Tensor): this {
    inPlace.copy_(this, src);
    return this;
  }
  /** Set elements where `mask` is true to `value`, in place. @example scores.maskedFill_(mask, -Infinity) */
  maskedFill_(mask: Tensor, value: number): this {
    inPlace.maskedFill_(this, mask, value);
    return this;
  }
  /** −x in place. @example x.neg_() */
  neg_(): this {
    inPlace.unary_('neg', this);
    return this;
  }
  /** eˣ in place. @example x.exp_() */
  exp_(): this {
    inPlace.unary_('exp', this);
    return this;
  }
  /** max(x, 0) in place. @example h.relu_() */
  relu_(): this {
    inPlace.unary_('relu', this);
    return this;
  }
  /** 1/(1+e⁻ˣ) in place. @example h.sigmoid_() */
  sigmoid_(): this {
    inPlace.unary_('sigmoid', this);
    return this;
  }
  /** tanh x in place. @example h.tanh_() */
  tanh_(): this {
    inPlace.unary_('tanh', this);
    return this;
  }
}

Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: true });

/**
 * Whether a value is a Tessera tensor.
 * @example
 * isTensor(tensor(1)); // true
 */
export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
