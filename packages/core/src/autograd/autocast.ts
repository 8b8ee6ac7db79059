/**
 * Automatic mixed precision (PyTorch's `torch.autocast` for CUDA, float16 only: Tessera has no bfloat16).
 *
 * Inside an autocast region each op on one of PyTorch's lists casts its floating inputs on the way in:
 *
 * - **lower precision** (run in float16): matmul, fusedMatmul (linear/addmm), addmm, baddbmm, einsum,
 *   conv2d, scaledDotProductAttention, the fused LSTM/GRU cells;
 * - **float32**: exp, log, rsqrt, reciprocal, pow, sum, prod, cumsum, softmax, logSoftmax, logsumexp,
 *   norm, layerNorm, and the losses (nn calls {@link autocastOp} for those);
 * - **promote** (to the widest floating input): scatterAdd;
 * - every other op runs in the dtype its inputs have (elementwise ops promote float16 with float32 to
 *   float32, as everywhere).
 *
 * The casts are ordinary recorded `cast` ops, so gradients flow back through them in the dtype of each
 * source: float32 master weights get float32 gradients. The check sits at the entry of each listed op
 * (`if (autocastActive()) return autocastOp(…)`), and the op's own body runs with autocast paused, so a
 * composite (attention's softmax, mean's sum) is not cast again inside — as PyTorch's wrapper excludes
 * its dispatch key. Backward runs with autocast paused: rules follow the dtypes the forward recorded.
 * Casts are not cached across ops (PyTorch caches the float16 copy of each weight within a region):
 * a weight used twice is cast twice, which keeps regions that span optimizer steps correct.
 *
 * On a backend without float16 (WebGPU without `shader-f16`) the lower-precision ops stay in float32.
 * Guards nest like the grad-mode guards (the newest active one decides), and hold across `await`.
 */
import type { DType } from '../backend/backend';
import { ValueError } from '../errors';
import type { Tensor } from '../tensor/tensor';
import { isFloating, promoteTypes } from '../dtype';
import { castTo } from '../ops/cast';
import { TENSOR_BRAND } from '../memory/scope';
import { GuardStack, StackedGuard } from './stacked-guard';

/** The dtype autocast computes lower-precision ops in (float16: Tessera has no bfloat16). */
export type AutocastDType = 'float16';

/**
 * How an op treats its inputs under autocast: `'lowerPrecision'` casts float32 inputs to the region's
 * dtype, `'float32'` casts float16 inputs to float32, `'promote'` casts every floating input to the
 * widest floating dtype among them, `'keep'` casts nothing (the op only runs its body with autocast
 * paused, as one op — mean, var).
 */
export type AutocastPolicy = 'lowerPrecision' | 'float32' | 'promote' | 'keep';

/** Options of {@link autocast}, {@link autocastGuard} and {@link autocastAsync}. */
export interface AutocastOptions {
  /** The lower-precision dtype (only `'float16'`). */
  dtype?: AutocastDType;
  /** Turn autocast on (default) or off for the region — `false` forces float32 inside an outer region. */
  enabled?: boolean;
}

/** Active guards, oldest first. */
const guards = new GuardStack(refresh);
/** The newest active guard's setting. */
let regionEnabled = false;
let regionDType: AutocastDType = 'float16';
/** Depth of listed ops currently running their body (their inner ops are not cast again). */
let paused = 0;
/** Cached `regionEnabled && paused === 0`: read at the entry of every listed op. */
let active = false;

function refresh(): void {
  const newest = guards.newest() as AutocastGuard | null;
  regionEnabled = newest?.enabled ?? false;
  regionDType = newest?.dtype ?? 'float16';
  active = regionEnabled && paused === 0;
}

function checkOptions(op: string, options: AutocastOptions): { enabled: boolean; dtype: AutocastDType } {
  if (options === null || typeof options !== 'object') throw new ValueError(`${op}: options must be an object { dtype?, enabled? }, got ${String(options)}`);
  const dtype = options.dtype ?? 'float16';
  if (dtype !== 'float16') {
    throw new ValueError(`${op}: dtype must be 'float16' (Tessera has no bfloat16), got ${JSON.stringify(dtype)}`);
  }
  const enabled = options.enabled ?? true;
  if (typeof enabled !== 'boolean') throw new ValueError(`${op}: enabled must be a boolean, got ${String(enabled)}`);
  return { enabled, dtype };
}

/**
 * Holds an autocast setting until released — PyTorch's `with torch.autocast(…)`. Release it with
 * `using`, or `release()` in a `finally`. While it is active the setting applies to all code that runs,
 * including other async tasks interleaved at your `await`s (one setting per realm, like grad mode).
 * @example
 * {
 *   using _ = autocastGuard();
 *   const loss = F.crossEntropy(model.forward(x), y); // matmuls in float16, the loss in float32
 * }
 * loss.backward();
 */
export class AutocastGuard extends StackedGuard {
  /** @internal Use {@link autocastGuard}. */
  constructor(
    /** Whether this guard turns autocast on (true) or off. */
    readonly enabled: boolean,
    /** The lower-precision dtype it sets. */
    readonly dtype: AutocastDType = 'float16',
  ) {
    super(guards);
    this.hold();
  }
}

/**
 * Turn autocast on (or off, with `{ enabled: false }`) until the returned guard is released; works
 * across `await`. Wrap the forward pass and the loss, not `backward()` or the optimizer step.
 * @example
 * using _ = autocastGuard({ dtype: 'float16' });
 * const logits = model.forward(await nextBatch()); // float16
 */
export function autocastGuard(options: AutocastOptions = {}): AutocastGuard {
  const { enabled, dtype } = checkOptions('autocastGuard', options);
  return new AutocastGuard(enabled, dtype);
}

/**
 * Run a synchronous `fn` with autocast on (PyTorch's `with torch.autocast('cuda', dtype=torch.float16)`):
 * matmuls, linear layers, convolutions and attention compute in float16; softmax, reductions, layer
 * norm, exp/log/pow and the losses in float32. Async functions are refused: use {@link autocastAsync}
 * or {@link autocastGuard}.
 * @example
 * const loss = autocast(() => F.crossEntropy(model.forward(x), y));
 * loss.dtype;  // 'float32'
 * loss.backward(); // float32 gradients for float32 parameters
 */
export function autocast<T>(fn: () => T, options: AutocastOptions = {}): T {
  const { enabled, dtype } = checkOptions('autocast', options);
  if (typeof fn !== 'function') throw new ValueError(`autocast: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  if (fn.constructor?.name === 'AsyncFunction') {
    throw new ValueError('autocast: fn is an async function; the region would end at its first await. Use await autocastAsync(async () => …) or `using _ = autocastGuard()` instead.');
  }
  const guard = new AutocastGuard(enabled, dtype);
  try {
    return fn();
  } finally {
    guard.release();
  }
}

/**
 * Run `fn` (sync or async) with autocast on until its Promise settles.
 * @example
 * const loss = await autocastAsync(async () => lossOf(model, await nextBatch()));
 */
export async function autocastAsync<T>(fn: () => T | Promise<T>, options: AutocastOptions = {}): Promise<T> {
  const { enabled, dtype } = checkOptions('autocastAsync', options);
  if (typeof fn !== 'function') throw new ValueError(`autocastAsync: expected a function, got ${typeof fn}`);
  const guard = new AutocastGuard(enabled, dtype);
  try {
    return await fn();
  } finally {
    guard.release();
  }
}

/**
 * Whether code here runs in an autocast region (also inside a listed op's body, where casting pauses).
 * @example
 * autocast(() => isAutocastEnabled()); // true
 */
export function isAutocastEnabled(): boolean {
  return regionEnabled;
}

/**
 * The region's lower-precision dtype (`'float16'`).
 * @example
 * getAutocastDType(); // 'float16'
 */
export function getAutocastDType(): AutocastDType {
  return regionDType;
}

/**
 * Whether an op called now must cast its inputs: an autocast region is on and no listed op is running
 * its body. What an op checks before handing itself to {@link autocastOp}.
 * @example
 * if (autocastActive()) return autocastOp('matmul', 'lowerPrecision', [a, b], matmul);
 */
export function autocastActive(): boolean {
  return active;
}

/**
 * @internal Whether a float32-list op must cast now: autocast is active and one of `inputs` is float16
 * (float32 inputs need no cast, and such an op's body has no composite that autocast would change).
 * @example
 * if (autocastNeedsFloat32(x)) return autocastOp('sum', 'float32', [x, dim, keepdim], sum);
 */
export function autocastNeedsFloat32(...inputs: unknown[]): boolean {
  return active && inputs.some((value) => isTensorLike(value) && value.dtype === 'float16');
}

/** @internal What autocast is now, for code that must re-enter the same setting later (checkpoint). */
export interface AutocastState {
  readonly enabled: boolean;
  readonly dtype: AutocastDType;
}

/** @internal The current setting. */
export function autocastState(): AutocastState {
  return { enabled: regionEnabled, dtype: regionDType };
}

/** The dtype `tensor` is cast to under `policy`, or null when it stays as it is. */
function targetOf(tensor: Tensor, policy: AutocastPolicy, widest: DType | null): DType | null {
  const dtype = tensor.dtype;
  if (!isFloating(dtype) || dtype === 'float64') return null; // PyTorch leaves float64 (and ints) alone
  let target: DType | null = null;
  if (policy === 'lowerPrecision') target = regionDType;
  else if (policy === 'float32') target = 'float32';
  else if (policy === 'promote') target = widest;
  if (target === null || target === dtype) return null;
  // A backend without float16 (WebGPU without shader-f16) keeps the op in float32.
  if (target === 'float16' && !tensor.storage.backend.capabilities.dtypes.includes('float16')) return null;
  return target;
}

/**
 * Run the op `fn` on `inputs` cast by `policy`, with autocast paused inside it — what each listed op
 * does at its entry, and what a library op built from core ops (a loss) calls to join a list. Tensors
 * among `inputs` are cast (recorded casts: gradients flow back to the originals); other values pass as
 * they are. The casts are freed when `fn` returns (its graph keeps what backward needs).
 * @example
 * export function myLoss(input: Tensor, target: Tensor): Tensor {
 *   if (autocastActive()) return autocastOp('myLoss', 'float32', [input, target], myLoss);
 *   …
 * }
 */
export function autocastOp<A extends readonly unknown[], T>(op: string, policy: AutocastPolicy, inputs: readonly [...A], fn: (...inputs: A) => T): T {
  if (policy !== 'lowerPrecision' && policy !== 'float32' && policy !== 'promote' && policy !== 'keep') {
    throw new ValueError(`autocastOp(${op}): policy must be 'lowerPrecision', 'float32', 'promote' or 'keep', got ${JSON.stringify(policy)}`);
  }
  const tensors = inputs.filter(isTensorLike);
  let widest: DType | null = null;
  if (policy === 'promote') {
    for (const t of tensors) if (isFloating(t.dtype)) widest = widest === null ? t.dtype : promoteTypes(widest, t.dtype);
  }
  const casts: Tensor[] = [];
  const castInputs = inputs.map((value) => {
    if (!isTensorLike(value) || value.isDisposed || !regionEnabled) return value;
    const target = targetOf(value, policy, widest);
    if (target === null) return value;
    const cast = castTo(value, target);
    casts.push(cast);
    return cast;
  }) as unknown as A;
  paused++;
  active = false;
  let result: T | undefined;
  try {
    result = fn(...castInputs);
    return result;
  } finally {
    paused--;
    active = regionEnabled && paused === 0;
    for (const cast of casts) if ((cast as unknown) !== result) cast.dispose();
  }
}

/**
 * @internal Pause autocast (backward's rules run in the dtypes the forward recorded). Release the guard.
 * @example
 * const pause = pauseAutocast(); try { … } finally { pause.release(); }
 */
export function pauseAutocast(): AutocastGuard {
  return new AutocastGuard(false);
}

function isTensorLike(value: unknown): value is Tensor {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[TENSOR_BRAND] === true;
}
