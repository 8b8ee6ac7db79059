/**
 * What `fit` returns: the logs of every epoch (epoch runs) and of the logged steps (both kinds of run).
 */
import { ValueError } from '@tessera/core';
import type { Logs } from './types';

/** Why training ended before the requested epochs or steps: a callback asked to stop, or the abort signal fired. */
export type StopReason = 'callback' | 'aborted';

/** {@link History} as plain data (what `fit` stores in its checkpoints). */
export interface HistoryData {
  epochs: Logs[];
  seconds: number[];
  steps: Logs[];
}

/**
 * The per-epoch logs of a training run (`loss`, `val_loss`, metrics, `lr`), the wall-clock seconds each
 * epoch took, and the step logs (`step`, `loss`, `lr`, `tokens_per_sec`, `grad_norm`, `val_loss` …) of the
 * steps `fit` logged — every `logInterval`-th step, every step with an evaluation, and the last one.
 * @example
 * const history = await fit(model, { train, val, loss, optimizer, epochs: 10, metrics: ['accuracy'] });
 * history.epochs[9].val_accuracy; // the last epoch's validation accuracy
 * history.series('loss');         // [1.2, 0.8, …]
 * history.best('val_loss');       // { epoch: 6, value: 0.31 }
 * const run = await fit(gpt, { train, val, computeLoss, optimizer, steps: 5000, evalInterval: 250 });
 * run.stepSeries('val_loss');     // [[250, 2.1], [500, 1.8], …]
 */
export class History {
  /** One entry per finished epoch (none in a step run). */
  readonly epochs: Logs[] = [];
  /** Seconds each epoch took (training, validation and callbacks). */
  readonly seconds: number[] = [];
  /** The logged steps' logs, each with its `step` number; a resumed run's history starts with the checkpoint's. */
  readonly steps: Logs[] = [];
  /** Whether training ended before the requested number of epochs or steps. */
  stoppedEarly = false;
  /** Why training ended early (`'callback'`: a callback stopped it; `'aborted'`: the `signal` fired), or null. */
  stopped: StopReason | null = null;
  /** The checkpoint step this run resumed from, or null for a fresh run. */
  resumedFrom: number | null = null;

  /** One log key's values across epochs (`NaN` where an epoch lacks it). */
  series(key: string): number[] {
    return this.epochs.map((logs) => logs[key] ?? Number.NaN);
  }

  /** `[step, value]` for every logged step that has the key (e.g. `val_loss` at each evaluation). */
  stepSeries(key: string): [number, number][] {
    return this.steps.filter((logs) => logs[key] !== undefined).map((logs) => [logs.step, logs[key]]);
  }

  /** The last epoch's logs (in a step run, the last logged step's), or `undefined` before there are any. */
  get last(): Logs | undefined {
    return this.epochs.at(-1) ?? this.steps.at(-1);
  }

  /** The epoch with the lowest (`'min'`) or highest (`'max'`) value of a key. */
  best(key: string, mode: 'min' | 'max' = 'min'): { epoch: number; value: number } | undefined {
    const found = pickBest(this.epochs, key, mode);
    return found && { epoch: found.index, value: found.value };
  }

  /** The logged step with the lowest (`'min'`) or highest (`'max'`) value of a key. */
  bestStep(key: string, mode: 'min' | 'max' = 'min'): { step: number; value: number } | undefined {
    const found = pickBest(this.steps, key, mode);
    return found && { step: this.steps[found.index].step, value: found.value };
  }

  /** Mean seconds per epoch. */
  get secondsPerEpoch(): number {
    return this.seconds.length ? this.seconds.reduce((a, b) => a + b, 0) / this.seconds.length : Number.NaN;
  }

  /** The logs as plain data (for a checkpoint). */
  toJSON(): HistoryData {
    return { epochs: this.epochs.map((logs) => ({ ...logs })), seconds: [...this.seconds], steps: this.steps.map((logs) => ({ ...logs })) };
  }

  /**
   * Append logs saved with {@link toJSON} (a resumed run continues the saved history).
   * @example
   * history.restore(saved);
   */
  restore(data: HistoryData): void {
    const isLogList = (value: unknown): value is Logs[] => Array.isArray(value) && value.every((logs) => logs !== null && typeof logs === 'object');
    if (data === null || typeof data !== 'object' || !isLogList(data.epochs) || !isLogList(data.steps) || !Array.isArray(data.seconds)) {
      throw new ValueError('History.restore: expected { epochs, seconds, steps } as returned by toJSON()');
    }
    this.epochs.push(...data.epochs.map((logs) => ({ ...logs })));
    this.seconds.push(...data.seconds);
    this.steps.push(...data.steps.map((logs) => ({ ...logs })));
  }
}

function pickBest(entries: Logs[], key: string, mode: 'min' | 'max'): { index: number; value: number } | undefined {
  let best: { index: number; value: number } | undefined;
  entries.forEach((logs, index) => {
    const value = logs[key];
    if (value === undefined || Number.isNaN(value)) return;
    if (!best || (mode === 'min' ? value < best.value : value > best.value)) best = { index, value };
  });
  return best;
}
