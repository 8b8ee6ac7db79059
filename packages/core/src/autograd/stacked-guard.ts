/**
 * The mechanism behind grad-mode and autocast guards. JavaScript has one thread, so such a setting is
 * one value per realm; guards that hold it across `await` form a list in the order they were entered,
 * and the setting is that of the newest guard still active — so guards of interleaved async tasks may
 * be released in any order without leaving a stale setting.
 */

/**
 * The active guards of one setting, oldest first; `onChange` recomputes the setting after each change.
 * @example
 * const stack = new GuardStack(() => { mode = (stack.newest() as MyGuard | null)?.value ?? defaultValue; });
 */
export class GuardStack {
  private readonly guards: StackedGuard[] = [];

  constructor(private readonly onChange: () => void) {}

  /** The most recently entered guard still active, or null. */
  newest(): StackedGuard | null {
    return this.guards.length ? this.guards[this.guards.length - 1] : null;
  }

  /** @internal Called by {@link StackedGuard}. */
  enter(guard: StackedGuard): void {
    this.guards.push(guard);
    this.onChange();
  }

  /** @internal Called by {@link StackedGuard}. */
  leave(guard: StackedGuard): void {
    this.guards.splice(this.guards.lastIndexOf(guard), 1);
    this.onChange();
  }
}

/**
 * A guard that holds a setting until released — with `using`, or `release()` in a `finally`.
 * Subclasses call {@link hold} at the end of their constructor, once their own fields are set.
 * @example
 * class MyGuard extends StackedGuard { constructor(readonly value: number) { super(stack); this.hold(); } }
 */
export abstract class StackedGuard {
  private active = false;

  protected constructor(private readonly stack: GuardStack) {}

  /** Enter the stack: from now on this guard decides the setting until a newer one is entered. */
  protected hold(): void {
    this.active = true;
    this.stack.enter(this);
  }

  /** Whether this guard still holds the setting. */
  get isActive(): boolean {
    return this.active;
  }

  /** Stop holding the setting (idempotent). The setting becomes that of the newest guard still active. */
  release(): void {
    if (!this.active) return;
    this.active = false;
    this.stack.leave(this);
  }

  /** `using` support: releases the guard. */
  [Symbol.dispose](): void {
    this.release();
  }
}
