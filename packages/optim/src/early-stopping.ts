/**
 * Early stopping: stop training when the monitored validation metric has stopped improving, optionally
 * going back to the weights of the best epoch.
 */
import { ValueError, keep, noGrad, type Tensor } from '@tessera/core';
import { checkChoice, checkNumber, describe } from './checks';

/** What early stopping needs of a model: a state dict to copy and to load back (`Module` has both). */
export interface ModuleLike {
  stateDict(): Record<string, Tensor>;
  loadStateDict(stateDict: Record<string, Tensor>, options?: { strict?: boolean }): unknown;
}

/** The training context `fit` passes to callbacks. */
export interface TrainingContext {
  model: ModuleLike;
  optimizer?: unknown;
  stopTraining?: boolean;
}

/** Options of {@link EarlyStopping} (Keras's names, camelCase). */
export interface EarlyStoppingOptions {
  /** Log key to watch (default `'val_loss'`). */
  monitor?: string;
  /** `'min'`: lower is better (a loss); `'max'`: higher is better (an accuracy). Default `'min'`. */
  mode?: 'min' | 'max';
  /** Epochs without improvement tolerated; training stops at the next one that does not improve (default 0). */
  patience?: number;
  /** An epoch improves only if it beats the best by more than this (default 0). */
  minDelta?: number;
  /** On stopping (and at the end of training), load the weights of the best epoch back (default false). */
  restoreBestWeights?: boolean;
}

/**
 * The course's early stopping: keep training while the validation error decreases, and stop once it
 * starts to rise — here, once it has not improved (by more than `minDelta`) for `patience` epochs.
 *
 * As a `fit` callback it reads `logs[monitor]` at the end of each epoch and returns `true` to stop (it
 * also sets `ctx.stopTraining`). Standalone, call `step(value, model?)` once per epoch: it returns whether
 * to stop. With `restoreBestWeights` it keeps a copy of `model.stateDict()` from the best epoch and loads
 * it back with `model.loadStateDict` when it stops, or when training ends (`onTrainEnd`); the copies are
 * then disposed (`dispose()` frees them early).
 *
 * @example
 * const earlyStopping = new EarlyStopping({ patience: 3, restoreBestWeights: true });
 * await fit(model, { train, val, loss, optimizer, epochs: 100, callbacks: [earlyStopping] });
 * earlyStopping.bestEpoch; // the epoch whose weights the model now holds
 * @example
 * // standalone
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   trainOneEpoch();
 *   if (earlyStopping.step(await validationLoss(), model)) break;
 * }
 */
export class EarlyStopping {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  /** The best value seen (±∞ before the first epoch). */
  bestValue: number;
  /** The epoch of the best value (−1 before the first epoch). */
  bestEpoch = -1;
  /** The epoch at which training was stopped, or null while it has not been. */
  stoppedEpoch: number | null = null;
  /** Consecutive epochs without improvement. */
  wait = 0;
  private lastEpoch = -1;
  private bestWeights: Map<string, Tensor> | null = null;
  private restored = false;

  constructor(options: EarlyStoppingOptions = {}) {
    const name = 'EarlyStopping';
    const monitor = options.monitor ?? 'val_loss';
    if (typeof monitor !== 'string' || monitor === '') throw new ValueError(`${name}: invalid monitor ${describe(monitor)}; expected a log key such as 'val_loss'`);
    this.monitor = monitor;
    this.mode = checkChoice(name, 'mode', options.mode ?? 'min', ['min', 'max'] as const);
    this.patience = checkNumber(name, 'patience', options.patience ?? 0, { min: 0, integer: true });
    this.minDelta = checkNumber(name, 'minDelta', options.minDelta ?? 0, { min: 0 });
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.bestValue = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `value` beats the best by more than `minDelta`. */
  isImprovement(value: number): boolean {
    return this.mode === 'min' ? value < this.bestValue - this.minDelta : value > this.bestValue + this.minDelta;
  }

  /**
   * Record one epoch's value (epochs count from 0 in calls); returns true when training should stop.
   * With `restoreBestWeights` and a `model`, the best weights are copied, and restored on stopping.
   * @example
   * if (earlyStopping.step(valLoss, model)) break;
   */
  step(value: number, model?: ModuleLike): boolean {
    return this.update(value, this.lastEpoch + 1, model);
  }

  /** Callback hook: start afresh (frees any copies from an earlier run). */
  onTrainBegin(_ctx?: TrainingContext): void {
    this.reset();
  }

  /** Callback hook: read `logs[monitor]`; returns true (and sets `ctx.stopTraining`) to stop training. */
  onEpochEnd(epoch: number, logs: Record<string, number>, ctx?: TrainingContext): boolean {
    const value = logs?.[this.monitor];
    if (typeof value !== 'number') {
      const available = logs ? Object.keys(logs).join(', ') : 'none';
      throw new ValueError(
        `EarlyStopping: the epoch logs have no '${this.monitor}' (available: ${available || 'none'}); ` +
          `give fit validation data or choose another monitor`,
      );
    }
    const stop = this.update(value, epoch, ctx?.model);
    if (stop && ctx) ctx.stopTraining = true;
    return stop;
  }

  /** Callback hook: restore the best weights if the model does not hold them yet, then free the copies. */
  onTrainEnd(_logs?: Record<string, number>, ctx?: TrainingContext): void {
    if (ctx?.model && !this.restored && this.lastEpoch !== this.bestEpoch) this.restoreBest(ctx.model);
    this.disposeCopies();
  }

  /**
   * Load the copied best weights into `model` (needs `restoreBestWeights`); returns whether it did.
   * @example
   * earlyStopping.restoreBest(model);
   */
  restoreBest(model: ModuleLike): boolean {
    if (!this.bestWeights) return false;
    model.loadStateDict(Object.fromEntries(this.bestWeights));
    this.restored = true;
    return true;
  }

  /** Forget everything (counters and copies), as at construction. */
  reset(): void {
    this.disposeCopies();
    this.bestValue = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = -1;
    this.stoppedEpoch = null;
    this.wait = 0;
    this.lastEpoch = -1;
    this.restored = false;
  }

  /** Free the copied weights. */
  dispose(): void {
    this.disposeCopies();
  }

  private update(value: number, epoch: number, model?: ModuleLike): boolean {
    if (typeof value !== 'number') throw new ValueError(`EarlyStopping.step: expected the monitored value as a number, got ${describe(value)}`);
    this.lastEpoch = epoch;
    if (this.isImprovement(value)) {
      this.bestValue = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights && model) this.snapshot(model);
      this.restored = false;
      return false;
    }
    this.wait += 1;
    if (this.wait <= this.patience) return false;
    this.stoppedEpoch = epoch;
    if (this.restoreBestWeights && model) this.restoreBest(model);
    return true;
  }

  private snapshot(model: ModuleLike): void {
    const current = Object.entries(model.stateDict());
    const copies = this.bestWeights;
    const reusable =
      copies !== null &&
      copies.size === current.length &&
      current.every(([key, value]) => {
        const copy = copies.get(key);
        return copy !== undefined && copy.dtype === value.dtype && copy.shape.length === value.shape.length && copy.shape.every((size, d) => size === value.shape[d]);
      });
    if (reusable) {
      noGrad(() => current.forEach(([key, value]) => copies.get(key)!.assign(value)));
      return;
    }
    this.disposeCopies();
    this.bestWeights = new Map(current.map(([key, value]) => [key, keep(noGrad(() => value.clone()))]));
  }

  private disposeCopies(): void {
    if (!this.bestWeights) return;
    for (const copy of this.bestWeights.values()) copy.dispose();
    this.bestWeights = null;
  }
}
