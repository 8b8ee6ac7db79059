/**
 * Memory scopes. `tidy(fn)` disposes every tensor made inside a synchronous function except what it
 * returns; a {@link Scope} object does the same across `await`s, where a global stack cannot follow.
 */
import { ValueError } from '../errors';

/** What a scope needs from a tensor (kept structural to avoid an import cycle with Tensor). */
export interface ScopedValue {
  scope: Scope | null;
  readonly isDisposed: boolean;
  dispose(): void;
}

const scopeStack: Scope[] = [];

/** The innermost active scope, if any. */
export function currentScope(): Scope | null {
  return scopeStack.length ? scopeStack[scopeStack.length - 1] : null;
}

/** Called for every new user-visible tensor: the innermost scope takes it. */
export function adoptIntoCurrentScope(value: ScopedValue): void {
  const scope = currentScope();
  if (scope) scope.track(value);
}

/**
 * A set of tensors disposed together. Works across `await`: track tensors explicitly, or run
 * synchronous parts inside `scope.run(fn)` so every tensor they make is tracked.
 * @example
 * const s = scope();
 * const y = s.run(() => model.forward(x));
 * await y.data();
 * s.dispose(); // frees y and every intermediate
 * // or: using s = scope();
 */
export class Scope {
  private readonly tracked = new Set<ScopedValue>();
  private disposed = false;

  /** Track a tensor: it is disposed with this scope. Returns it. */
  track<T extends ScopedValue>(value: T): T {
    if (this.disposed) throw new ValueError('Scope.track: this scope was already disposed');
    if (value.scope && value.scope !== this) value.scope.untrack(value);
    value.scope = this;
    this.tracked.add(value);
    return value;
  }

  /** Stop tracking a tensor (it will outlive this scope). Returns it. */
  untrack<T extends ScopedValue>(value: T): T {
    if (this.tracked.delete(value)) value.scope = null;
    return value;
  }

  /** Keep tensors: untrack them here and hand them to the enclosing scope, if any. */
  keep<T>(result: T): T {
    // The enclosing scope is the one active below this one (this scope may itself be running).
    const position = scopeStack.lastIndexOf(this);
    const enclosing = (position === -1 ? scopeStack : scopeStack.slice(0, position)).at(-1) ?? null;
    forEachTensor(result, (value) => {
      if (value.scope !== this) return;
      this.untrack(value);
      enclosing?.track(value);
    });
    return result;
  }

  /** Run a synchronous function with this scope active: tensors it makes are tracked here. */
  run<T>(fn: () => T): T {
    if (this.disposed) throw new ValueError('Scope.run: this scope was already disposed');
    scopeStack.push(this);
    try {
      const result = fn();
      if (result instanceof Promise) {
        throw new ValueError('Scope.run: fn returned a Promise; run only synchronous parts inside run() and await outside it');
      }
      return result;
    } finally {
      scopeStack.splice(scopeStack.lastIndexOf(this), 1);
    }
  }

  /** Number of live tensors this scope tracks. */
  get size(): number {
    return this.tracked.size;
  }

  /** Dispose every tracked tensor. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const value of this.tracked) {
      value.scope = null;
      if (!value.isDisposed) value.dispose();
    }
    this.tracked.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A new explicit scope (see {@link Scope}).
 * @example
 * using s = scope();
 */
export function scope(): Scope {
  return new Scope();
}

/** Brand checked by {@link forEachTensor} (set on Tensor's prototype). */
export const TENSOR_BRAND = Symbol.for('tessera.tensor');

/** Calls `visit` for every tensor inside a value: a tensor, or arrays / plain objects / Maps of them. */
export function forEachTensor(value: unknown, visit: (tensor: ScopedValue) => void, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if ((value as Record<symbol, unknown>)[TENSOR_BRAND]) {
    visit(value as ScopedValue);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) forEachTensor(item, visit, seen);
  } else if (value instanceof Map) {
    for (const item of value.values()) forEachTensor(item, visit, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) forEachTensor(item, visit, seen);
  }
}

/**
 * Run a synchronous function and dispose every tensor it made, except those it returns
 * (a tensor, or arrays/objects of tensors), which move to the enclosing scope.
 * @example
 * const loss = tidy(() => model.forward(x).sub(y).pow(2).mean());
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ValueError('tidy: expected a function');
  const inner = new Scope();
  let result: T;
  try {
    result = inner.run(fn);
    inner.keep(result);
  } finally {
    inner.dispose();
  }
  return result;
}

/**
 * Keep a tensor made inside `tidy` alive past the scope without returning it.
 * @example
 * tidy(() => { saved = keep(x.mul(2)); });
 */
export function keep<T extends ScopedValue>(tensor: T): T {
  tensor.scope?.untrack(tensor);
  return tensor;
}
