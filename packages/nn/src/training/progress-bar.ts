/**
 * A terminal progress bar for `fit`: per epoch, drawn with the `cli-progress` package; for step runs, one
 * line of its own (redrawn in a terminal, printed every few steps to a file or pipe).
 */
import { ValueError } from '@tessera/core';
import type { Callback, Logs, TrainingContext } from './types';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Where to draw (default `process.stderr`). */
  stream?: NodeJS.WritableStream;
  /**
   * Also draw when the stream is not a terminal (e.g. redirected to a file). Default: false in epoch runs;
   * true in step runs, which then print one plain line every `every` steps.
   */
  noTTYOutput?: boolean;
  /** Which metric the bar shows (default: the first of `fit`'s metrics). */
  metric?: string;
  /** Redraws per second at most (default 10). */
  fps?: number;
  /** Step runs, not in a terminal: print a line every this many steps (default: about 100 lines per run), and after every evaluation. */
  every?: number;
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
 * In an epoch run, draws one bar per epoch: epoch, batches done, running loss and metric, and the time
 * left (ETA); when the epoch ends, the bar's line keeps the epoch's validation loss and metric too.
 * `cli-progress` is an optional peer dependency, loaded only when an epoch run starts, so browser
 * bundles that never use the bar do not need it.
 *
 * In a step run (`fit`'s `steps`), draws one line — steps done of all, the step's loss, the latest
 * `val_loss`, smoothed tokens per second and the time left — redrawn in place in a terminal. Written to a
 * file or pipe, it prints the line every `every` steps, after every evaluation and at the end, so logs
 * of long runs stay readable. It needs no package.
 * @example
 * await fit(model, { train, val, loss, optimizer, epochs: 10, metrics: ['accuracy'], callbacks: [new ProgressBar()] });
 * // epoch 3/10 |██████████░░░░░░░░░░| 470/938 | loss 0.4123 | accuracy 0.8512 | ETA 4s
 * await fit(gpt, { train, val, computeLoss, optimizer, steps: 5000, evalInterval: 250, callbacks: [new ProgressBar()] });
 * // step 1200/5000 |████░░░░░░░░░░░░░░░░| loss 1.6023 | val_loss 1.7731 | 41.2k tok/s | ETA 6m31s
 */
export class ProgressBar implements Callback {
  private bar: Bar | null = null;
  private module: BarModule | null = null;
  private metric: string | undefined;
  private total = 0;
  private lastBatch = 0;
  private stepLine: StepLine | null = null;

  constructor(readonly options: ProgressBarOptions = {}) {}

  async onTrainBegin(ctx: TrainingContext): Promise<void> {
    if (ctx.mode === 'steps') {
      this.stepLine = new StepLine(this.options, ctx);
      return;
    }
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

  onStepEnd(step: number, logs: Logs): void {
    this.stepLine?.update(step, logs);
  }

  onTrainEnd(): void {
    this.bar?.stop();
    this.bar = null;
    this.stepLine?.finish();
    this.stepLine = null;
  }
}

/** The one-line display of a step run. */
class StepLine {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly tty: boolean;
  private readonly enabled: boolean;
  private readonly every: number;
  private readonly minInterval: number;
  private readonly total: number;
  private valLoss: number | undefined;
  private secondsPerStep = 0;
  private lastTime = performance.now();
  private lastDraw = -Infinity;
  private lastPrinted = -1;
  private lastStep = -1;
  private line = '';

  constructor(options: ProgressBarOptions, ctx: TrainingContext) {
    this.stream = (options.stream ?? process.stderr) as StepLine['stream'];
    this.tty = this.stream.isTTY === true;
    this.enabled = this.tty || (options.noTTYOutput ?? true);
    this.total = ctx.steps ?? 0;
    const remaining = Math.max(1, this.total - ctx.startStep);
    this.every = options.every ?? Math.max(1, Math.round(remaining / 100));
    if (!Number.isInteger(this.every) || this.every < 1) throw new ValueError(`ProgressBar: every must be a positive integer, got ${String(options.every)}`);
    this.minInterval = 1000 / (options.fps ?? 10);
  }

  update(step: number, logs: Logs): void {
    const now = performance.now();
    const seconds = (now - this.lastTime) / 1000;
    this.lastTime = now;
    // A moving average of the time per step (evaluations included), for the ETA.
    this.secondsPerStep = this.lastStep < 0 ? seconds : 0.9 * this.secondsPerStep + 0.1 * seconds;
    this.lastStep = step;
    const evaluated = logs.val_loss !== undefined;
    if (evaluated) this.valLoss = logs.val_loss;
    this.line = this.format(step, logs);
    if (!this.enabled) return;
    const last = step >= this.total;
    if (this.tty) {
      if (last || evaluated || now - this.lastDraw >= this.minInterval) this.draw(now);
    } else if (last || evaluated || step % this.every === 0) {
      this.stream.write(`${this.line}\n`);
      this.lastPrinted = step;
    }
  }

  finish(): void {
    if (!this.enabled || this.lastStep < 0) return;
    if (this.tty) {
      this.draw(performance.now());
      this.stream.write('\n');
    } else if (this.lastPrinted !== this.lastStep) {
      this.stream.write(`${this.line}\n`);
    }
  }

  private draw(now: number): void {
    // Cut to the terminal's width: a wrapped line could not be redrawn in place.
    const width = this.stream.columns ? this.stream.columns - 1 : Infinity;
    this.stream.write(`\r${this.line.length > width ? this.line.slice(0, width) : this.line}\x1b[K`);
    this.lastDraw = now;
  }

  private format(step: number, logs: Logs): string {
    const width = 20;
    const filled = this.total > 0 ? Math.min(width, Math.floor((width * step) / this.total)) : 0;
    const bar = `step ${step}/${this.total} |${'\u2588'.repeat(filled)}${'\u2591'.repeat(width - filled)}|`;
    const parts = [`loss ${formatNumber(logs.loss)}`];
    if (this.valLoss !== undefined) parts.push(`val_loss ${formatNumber(this.valLoss)}`);
    if (logs.tokens_per_sec !== undefined) parts.push(`${formatRate(logs.tokens_per_sec)} tok/s`);
    parts.push(`ETA ${formatDuration(Math.max(0, this.total - step) * this.secondsPerStep)}`);
    return `${bar} ${parts.join(' | ')}`;
  }
}

/** 950, 12.3k, 4.56M. */
function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
}

/** 42s, 6m31s, 2h05m. */
function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
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
