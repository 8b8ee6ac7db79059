/**
 * A callback that saves the model's weights as safetensors during training.
 */
import { ValueError, saveSafetensors } from '@tessera/core';
import { writeFileAtomic } from './atomic-write';
import type { Callback, Logs, TrainingContext } from './types';

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /**
   * Where to write. `{epoch}` (counted from 1) and `{<log key>}` (e.g. `{val_loss}`, 4 decimals) are filled in,
   * so `'ckpt/epoch-{epoch}.safetensors'` keeps one file per epoch.
   */
  path: string;
  /** The log key that decides what is best (default `'val_loss'`). */
  monitor?: string;
  /** Whether lower (`'min'`) or higher (`'max'`) is better; `'auto'` (default) picks max for accuracy-like keys. */
  mode?: 'min' | 'max' | 'auto';
  /** Save only when the monitored value improves on the best so far (default false: save every epoch). */
  saveBestOnly?: boolean;
}

const HIGHER_IS_BETTER = /acc|precision|recall|f1|auc/i;

/**
 * Saves `model.stateDict()` with core's `saveSafetensors` after each epoch (or only on improvement with
 * `saveBestOnly`). Files are written atomically — temporary file, fsync, rename — so a crash mid-write
 * never leaves a truncated checkpoint. The file's metadata records the epoch and the monitored value.
 * Node only (uses `node:fs`, loaded on first save).
 * @example
 * const checkpoint = new ModelCheckpoint({ path: 'ckpt/best.safetensors', monitor: 'val_accuracy', saveBestOnly: true });
 * await fit(model, { train, val, loss, optimizer, epochs: 20, metrics: ['accuracy'], callbacks: [checkpoint] });
 * model.loadStateDict(loadSafetensors(await readFile('ckpt/best.safetensors')));
 */
export class ModelCheckpoint implements Callback {
  readonly path: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly saveBestOnly: boolean;
  /** The best monitored value seen so far. */
  best: number;
  /** The epoch (from 0) whose weights were last saved, or -1. */
  bestEpoch = -1;
  /** Every path written, in order. */
  readonly saved: string[] = [];

  constructor(options: ModelCheckpointOptions) {
    if (!options || typeof options.path !== 'string' || options.path.length === 0) {
      throw new ValueError('ModelCheckpoint: options.path must be a non-empty file path');
    }
    this.path = options.path;
    this.monitor = options.monitor ?? 'val_loss';
    const mode = options.mode ?? 'auto';
    if (mode !== 'min' && mode !== 'max' && mode !== 'auto') throw new ValueError(`ModelCheckpoint: mode must be 'min', 'max' or 'auto', got '${String(mode)}'`);
    this.mode = mode === 'auto' ? (HIGHER_IS_BETTER.test(this.monitor) ? 'max' : 'min') : mode;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = -1;
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): Promise<void> {
    const value = logs[this.monitor];
    if (value === undefined && this.saveBestOnly) {
      throw new ValueError(`ModelCheckpoint: monitored key '${this.monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')})`);
    }
    const improved = value !== undefined && !Number.isNaN(value) && (this.mode === 'min' ? value < this.best : value > this.best);
    if (improved) this.best = value;
    if (this.saveBestOnly && !improved) return;
    if (improved) this.bestEpoch = epoch;
    const path = this.resolvePath(epoch, logs);
    const metadata: Record<string, string> = { format: 'pt', epoch: String(epoch + 1) };
    if (value !== undefined) metadata[this.monitor] = String(value);
    const bytes = await saveSafetensors(ctx.model.stateDict(), metadata);
    await writeFileAtomic(path, bytes);
    this.saved.push(path);
  }

  private resolvePath(epoch: number, logs: Logs): string {
    return this.path.replace(/\{([A-Za-z0-9_]+)\}/g, (placeholder, key: string) => {
      if (key === 'epoch') return String(epoch + 1);
      const value = logs[key];
      if (value === undefined) throw new ValueError(`ModelCheckpoint: path placeholder ${placeholder} names no log key (${Object.keys(logs).join(', ')})`);
      return value.toFixed(4);
    });
  }
}
