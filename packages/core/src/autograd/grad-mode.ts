/**
 * Whether ops record the autograd graph.
 *
 * JavaScript has one thread, so the mode is one value per realm (PyTorch's is per thread). Guards set
 * it: `noGrad(fn)` / `enableGrad(fn)` for synchronous code, and {@link GradModeGuard}s
 * (`using _ = noGradGuard()`, `noGradAsync(fn)`) that stay active across `await`. Active guards form a
 * list in the order they were entered; the mode is that of the most recently entered guard still
 * active, so guards of interleaved async tasks may exit in any order without leaving a stale mode.
 */
import { ValueError } from '../errors';
import { GuardStack, StackedGuard } from './stacked-guard';

/** The current mode (cached: read by every op). */
let gradEnabled = true;

const guards = new GuardStack(() => {
  gradEnabled = (guards.newest() as GradModeGuard | null)?.enabled ?? true;
});

/**
 * Whether autograd currently records ops.
 * @example
 * noGrad(() => isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Holds grad recording on or off until released — PyTorch's `torch.no_grad()` / `torch.enable_grad()`
 * context managers (C++: `torch::NoGradGuard`). Release it with `using`, or `release()` in a `finally`.
 * While it is active the mode applies to all code that runs, including other async tasks interleaved
 * at your `await`s (JavaScript has no per-task mode); see {@link noGradGuard}.
 * @example
 * {
 *   using _ = noGradGuard();
 *   const batch = await loader.next();
 *   model.forward(batch); // not recorded, even after the await
 * }
 */
export class GradModeGuard extends StackedGuard {
  /** @internal Use {@link noGradGuard} or {@link enableGradGuard}. */
  constructor(
    /** Whether this guard holds recording on (true) or off. */
    readonly enabled: boolean,
  ) {
    super(guards);
    this.hold();
  }
}

/**
 * Turn gradient recording off until the returned guard is released (works across `await`).
 * Guaranteed: inside the guard's lifetime, ops do not record — unless a newer guard (or `enableGrad`)
 * turns recording back on. Not isolated: another async task that runs while your function is suspended
 * at an `await` also runs without recording (one mode per realm); keep such windows short, or do the
 * gradient-free work synchronously with `noGrad(fn)`.
 * @example
 * using _ = noGradGuard();
 * const logits = model.forward(await nextBatch());
 */
export function noGradGuard(): GradModeGuard {
  return new GradModeGuard(false);
}

/**
 * Turn gradient recording on until the returned guard is released, even inside `noGrad`.
 * @example
 * using _ = enableGradGuard();
 */
export function enableGradGuard(): GradModeGuard {
  return new GradModeGuard(true);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

function refuseAsync(op: string, fn: unknown, alternative: string): void {
  if (typeof fn !== 'function') throw new ValueError(`${op}: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  if (fn.constructor?.name === 'AsyncFunction' || fn.constructor?.name === 'AsyncGeneratorFunction') {
    throw new ValueError(`${op}: fn is an async function; the mode would end at its first await. ${alternative}`);
  }
}

function runSync<T>(op: string, enabled: boolean, fn: () => T, alternative: string): T {
  refuseAsync(op, fn, alternative);
  const guard = new GradModeGuard(enabled);
  let result: T;
  try {
    result = fn();
  } finally {
    guard.release();
  }
  if (isPromiseLike(result)) {
    // Its synchronous part already ran; what follows its first await would run in the other mode.
    // It cannot be stopped: keep its eventual failure from surfacing as an unrelated unhandled rejection.
    Promise.resolve(result).catch(() => undefined);
    throw new ValueError(`${op}: fn returned a Promise; the mode would end at its first await. ${alternative}`);
  }
  return result;
}

/**
 * Run a synchronous `fn` without recording gradients (inference, parameter updates). Async functions
 * and functions returning a Promise are refused: use {@link noGradAsync} or {@link noGradGuard}.
 * @example
 * noGrad(() => w.assign(w.sub(w.grad!.mul(0.1))));
 */
export function noGrad<T>(fn: () => T): T {
  return runSync('noGrad', false, fn, 'Use await noGradAsync(async () => …) or `using _ = noGradGuard()` instead.');
}

/**
 * Run a synchronous `fn` with gradient recording on, even inside `noGrad`. Async functions are refused:
 * use {@link enableGradAsync} or {@link enableGradGuard}.
 * @example
 * noGrad(() => enableGrad(() => x.mul(2))); // recorded
 */
export function enableGrad<T>(fn: () => T): T {
  return runSync('enableGrad', true, fn, 'Use await enableGradAsync(async () => …) or `using _ = enableGradGuard()` instead.');
}

async function runAsync<T>(enabled: boolean, fn: () => T | Promise<T>): Promise<T> {
  const guard = new GradModeGuard(enabled);
  try {
    return await fn();
  } finally {
    guard.release();
  }
}

/**
 * Run `fn` (sync or async) without recording gradients until its Promise settles, across every `await`
 * (a {@link noGradGuard} held for the call). Other async tasks that run meanwhile see the same mode.
 * @example
 * const accuracy = await noGradAsync(async () => evaluate(model, await loadBatch()));
 */
export function noGradAsync<T>(fn: () => T | Promise<T>): Promise<T> {
  if (typeof fn !== 'function') return Promise.reject(new ValueError(`noGradAsync: expected a function, got ${typeof fn}`));
  return runAsync(false, fn);
}

/**
 * Run `fn` (sync or async) with gradient recording on until its Promise settles.
 * @example
 * await noGradAsync(async () => enableGradAsync(async () => train(await batch())));
 */
export function enableGradAsync<T>(fn: () => T | Promise<T>): Promise<T> {
  if (typeof fn !== 'function') return Promise.reject(new ValueError(`enableGradAsync: expected a function, got ${typeof fn}`));
  return runAsync(true, fn);
}
