/**
 * What `fit` returns: the logs of every epoch.
 */
import type { Logs } from './types';

/**
 * The per-epoch logs of a training run (`loss`, `val_loss`, metrics, `lr`), plus the wall-clock seconds
 * each epoch took.
 * @example
 * const history = await fit(model, { train, val, loss, optimizer, epochs: 10, metrics: ['accuracy'] });
 * history.epochs[9].val_accuracy; // the last epoch's validation accuracy
 * history.series('loss');         // [1.2, 0.8, …]
 * history.best('val_loss');       // { epoch: 6, value: 0.31 }
 */
export class History {
  /** One entry per finished epoch. */
  readonly epochs: Logs[] = [];
  /** Seconds each epoch took (training, validation and callbacks). */
  readonly seconds: number[] = [];
  /** Whether a callback stopped training before the requested number of epochs. */
  stoppedEarly = false;

  /** One log key's values across epochs (`NaN` where an epoch lacks it). */
  series(key: string): number[] {
    return this.epochs.map((logs) => logs[key] ?? Number.NaN);
  }

  /** The last epoch's logs, or `undefined` before the first epoch ends. */
  get last(): Logs | undefined {
    return this.epochs.at(-1);
  }

  /** The epoch with the lowest (`'min'`) or highest (`'max'`) value of a key. */
  best(key: string, mode: 'min' | 'max' = 'min'): { epoch: number; value: number } | undefined {
    let best: { epoch: number; value: number } | undefined;
    this.epochs.forEach((logs, epoch) => {
      const value = logs[key];
      if (value === undefined || Number.isNaN(value)) return;
      if (!best || (mode === 'min' ? value < best.value : value > best.value)) best = { epoch, value };
    });
    return best;
  }

  /** Mean seconds per epoch. */
  get secondsPerEpoch(): number {
    return this.seconds.length ? this.seconds.reduce((a, b) => a + b, 0) / this.seconds.length : Number.NaN;
  }
}
