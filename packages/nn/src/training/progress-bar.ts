/**
 * A terminal progress bar for `fit`, drawn with the `cli-progress` package.
 */
import { ValueError } from '@tessera/core';
import type { Callback, Logs, TrainingContext } from './types';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Where to draw (default `process.stderr`). */
  stream?: NodeJS.WritableStream;
  /** Also draw when the stream is not a terminal (e.g. redirected to a file); default false. */
  noTTYOutput?: boolean;
  /** Which metric the bar shows (default: the first of `fit`'s metrics). */
  metric?: string;
  /** Redraws per second at most (default 10). */
  fps?: number;
}

/** The part of cli-progress's `SingleBar` this callback uses. */
interface Bar {
  start(total: number, value: number, payload?: object): void;
  update(value: number, payload?: object): void;
  setTotal(total: number): void;
  stop(): void;
}

type BarModule = { SingleBar: new (options: object) => Bar };

function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(2);
}

/**
 * Draws one bar per epoch: epoch, batches done, running loss and metric, and the time left (ETA).
 * When the epoch ends, the bar's line keeps the epoch's validation loss and metric too.
 * `cli-progress` is an optional peer dependency, loaded only when training starts, so browser
 * bundles that never use the bar do not need it.
 * @example
 * await fit(model, { train, val, loss, optimizer, epochs: 10, metrics: ['accuracy'], callbacks: [new ProgressBar()] });
 * // epoch 3/10 |██████████░░░░░░░░░░| 470/938 | loss 0.4123 | accuracy 0.8512 | ETA 4s
 */
export class ProgressBar implements Callback {
  private bar: Bar | null = null;
  private module: BarModule | null = null;
  private metric: string | undefined;
  private total = 0;
  private lastBatch = 0;

  constructor(readonly options: ProgressBarOptions = {}) {}

  async onTrainBegin(ctx: TrainingContext): Promise<void> {
    this.module = await loadCliProgress();
    this.metric = this.options.metric ?? ctx.metricNames[0];
    this.total = ctx.batchesPerEpoch ?? 0;
  }

  onEpochBegin(epoch: number, ctx: TrainingContext): void {
    const metricLabel = this.metric ? ` | ${this.metric} {metric}` : '';
    this.bar = new this.module!.SingleBar({
      format: `epoch {epoch}/{epochs} |{bar}| {value}/{total} | loss {loss}${metricLabel}{validation} | ETA {eta_formatted}`,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      barsize: 20,
      hideCursor: false,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
      fps: this.options.fps ?? 10,
      stream: this.options.stream,
      noTTYOutput: this.options.noTTYOutput ?? false,
    });
    this.lastBatch = 0;
    // Without a known length, the previous epoch's batch count is the best guess.
    this.bar.start(this.total, 0, { epoch: epoch + 1, epochs: ctx.epochs, loss: '-', metric: '-', validation: '' });
  }

  onBatchEnd(batch: number, logs: Logs): void {
    this.lastBatch = batch + 1;
    if (this.lastBatch > this.total) {
      this.total = this.lastBatch;
      this.bar?.setTotal(this.total);
    }
    this.bar?.update(this.lastBatch, { loss: formatNumber(logs.loss), metric: this.metric ? formatNumber(logs[this.metric]) : '' });
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    if (!this.bar) return;
    let validation = '';
    if (logs.val_loss !== undefined) validation += ` | val_loss ${formatNumber(logs.val_loss)}`;
    if (this.metric && logs[`val_${this.metric}`] !== undefined) validation += ` | val_${this.metric} ${formatNumber(logs[`val_${this.metric}`])}`;
    this.total = this.lastBatch;
    this.bar.setTotal(this.total);
    this.bar.update(this.lastBatch, {
      loss: formatNumber(logs.loss),
      metric: this.metric ? formatNumber(logs[this.metric]) : '',
      validation,
    });
    this.bar.stop();
    this.bar = null;
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

async function loadCliProgress(): Promise<BarModule> {
  let loaded: any;
  try {
    loaded = await import('cli-progress');
  } catch (error) {
    throw new ValueError(`ProgressBar: the 'cli-progress' package is needed for the progress bar (npm install cli-progress): ${(error as Error).message}`);
  }
  const module = (loaded.SingleBar ? loaded : loaded.default) as BarModule | undefined;
  if (!module?.SingleBar) throw new ValueError("ProgressBar: 'cli-progress' does not export SingleBar");
  return module;
}
