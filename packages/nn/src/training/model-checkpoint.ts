/**
 * A callback that saves the model's weights as safetensors during training.
 */
import { ValueError, saveSafetensors } from '@tessera/core';
import { writeFileAtomic } from './atomic-write';
import type { Callback, Logs, TrainingContext } from './types';

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions {
  /**
   * Where to write. `{epoch}` (counted from 1), `{step}` (in step runs) and `{<log key>}` (e.g. `{val_loss}`,
   * 4 decimals) are filled in, so `'ckpt/epoch-{epoch}.safetensors'` keeps one file per epoch.
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
 * `saveBestOnly`). In a step run (`fit`'s `steps`) it does the same after every step whose logs have the
 * monitored key — with `val_loss`, after every evaluation (nanoGPT keeps the weights of the best
 * `val_loss`). Files are written atomically — temporary file, fsync, rename — so a crash mid-write
 * never leaves a truncated checkpoint. The file's metadata records the epoch (or step) and the monitored
 * value. Node only (uses `node:fs`, loaded on first save).
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
  /** The epoch (from 0) whose weights were last saved as the best, or -1. */
  bestEpoch = -1;
  /** In a step run, the step whose weights were last saved as the best, or -1. */
  bestStep = -1;
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
    this.bestStep = -1;
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): Promise<void> {
    const value = logs[this.monitor];
    if (value === undefined && this.saveBestOnly) {
      throw new ValueError(`ModelCheckpoint: monitored key '${this.monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')})`);
    }
    if (this.consider(value)) this.bestEpoch = epoch;
    else if (this.saveBestOnly) return;
    await this.save(ctx, logs, { epoch: String(epoch + 1) }, value);
  }

  async onStepEnd(step: number, logs: Logs, ctx: TrainingContext): Promise<void> {
    if (ctx.mode !== 'steps') return;
    const value = logs[this.monitor];
    if (value === undefined) return; // e.g. val_loss between evaluations
    if (this.consider(value)) this.bestStep = step;
    else if (this.saveBestOnly) return;
    await this.save(ctx, logs, { step: String(step) }, value);
  }

  /** Whether `value` improves on the best so far (which it then becomes). */
  private consider(value: number | undefined): boolean {
    const improved = value !== undefined && !Number.isNaN(value) && (this.mode === 'min' ? value < this.best : value > this.best);
    if (improved) this.best = value;
    return improved;
  }

  private async save(ctx: TrainingContext, logs: Logs, position: { epoch: string } | { step: string }, value: number | undefined): Promise<void> {
    const path = this.resolvePath(position, logs);
    const metadata: Record<string, string> = { format: 'pt', ...position };
    if (value !== undefined) metadata[this.monitor] = String(value);
    const bytes = await saveSafetensors(ctx.model.stateDict(), metadata);
    await writeFileAtomic(path, bytes);
    this.saved.push(path);
  }

  private resolvePath(position: { epoch?: string; step?: string }, logs: Logs): string {
    return this.path.replace(/\{([A-Za-z0-9_]+)\}/g, (placeholder, key: string) => {
      if ((key === 'epoch' || key === 'step') && position[key] !== undefined) return position[key];
      const value = logs[key];
      if (value === undefined) throw new ValueError(`ModelCheckpoint: path placeholder ${placeholder} names no log key (${Object.keys(logs).join(', ')})`);
      return value.toFixed(4);
    });
  }
}
