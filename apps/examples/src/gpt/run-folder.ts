/**
 * A run folder, `runs/<name>/`: everything a training run leaves behind, and what `pnpm generate` and
 * `--resume` read back.
 *
 *     config.json        the resolved configuration, vocabulary size, parameter count, backend, dates
 *     tokenizer.json     the tokenizer (Hugging Face format)
 *     model.safetensors  the latest weights (metadata: step, val_loss)
 *     metrics.jsonl      one JSON object per logged step: step, loss, lr, tokens_per_sec, val_loss, …
 *     loss.svg           training and validation loss against the step
 *     checkpoint/        fit's resumable checkpoint (weights, optimizer, schedule, samplers, history)
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '@tessera/core';
import { lineChartSVG } from './loss-chart';
import type { TrainConfig } from './presets';

/** What `config.json` holds. */
export interface RunRecord {
  config: TrainConfig;
  vocabSize: number;
  parameters: number;
  backend: string;
  startedAt: string;
  /** Set when training ends (or is stopped). */
  finishedAt?: string;
  /** Steps done when the record was last written. */
  step?: number;
  finalValLoss?: number;
}

/** One line of `metrics.jsonl`. */
export interface MetricsLine {
  step: number;
  loss?: number;
  lr?: number;
  tokens_per_sec?: number;
  grad_norm?: number;
  val_loss?: number;
  /** Seconds since the run (or its resumption) started. */
  elapsed_s?: number;
}

/**
 * The files of one run.
 * @example
 * const run = new RunFolder('runs/moby-dick-small-char');
 * run.readRecord().config.nLayer; // 4
 */
export class RunFolder {
  constructor(readonly dir: string) {}

  get configPath(): string {
    return join(this.dir, 'config.json');
  }
  get tokenizerPath(): string {
    return join(this.dir, 'tokenizer.json');
  }
  get modelPath(): string {
    return join(this.dir, 'model.safetensors');
  }
  get metricsPath(): string {
    return join(this.dir, 'metrics.jsonl');
  }
  get chartPath(): string {
    return join(this.dir, 'loss.svg');
  }
  get checkpointDir(): string {
    return join(this.dir, 'checkpoint');
  }

  /** Creates the folder; a fresh run first removes what an earlier run of the same name left. */
  prepare(fresh: boolean): void {
    if (fresh) for (const path of [this.configPath, this.tokenizerPath, this.modelPath, this.metricsPath, this.chartPath, this.checkpointDir]) rmSync(path, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** Whether `--resume` has something to continue. */
  canResume(): boolean {
    return existsSync(this.configPath) && existsSync(this.tokenizerPath) && existsSync(this.checkpointDir);
  }

  writeRecord(record: RunRecord): void {
    writeFileSync(this.configPath, JSON.stringify(record, null, 2) + '\n');
  }

  readRecord(): RunRecord {
    if (!existsSync(this.configPath)) throw new ValueError(`${this.dir} is not a run folder: no config.json (pnpm start writes one)`);
    return JSON.parse(readFileSync(this.configPath, 'utf8')) as RunRecord;
  }

  writeTokenizer(json: string): void {
    writeFileSync(this.tokenizerPath, json);
  }

  readTokenizer(): string {
    return readFileSync(this.tokenizerPath, 'utf8');
  }

  appendMetrics(line: MetricsLine): void {
    appendFileSync(this.metricsPath, JSON.stringify(line) + '\n');
  }

  readMetrics(): MetricsLine[] {
    if (!existsSync(this.metricsPath)) return [];
    return readFileSync(this.metricsPath, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as MetricsLine);
  }

  /** Drops the lines after `step` (a stopped run may have logged steps past its last checkpoint). */
  truncateMetrics(step: number): void {
    const kept = this.readMetrics().filter((line) => line.step <= step);
    writeFileSync(this.metricsPath, kept.map((line) => JSON.stringify(line) + '\n').join(''));
  }

  /** Draws `loss.svg` from `metrics.jsonl`: the training loss (smoothed over 25-step windows) and every validation loss. */
  writeLossChart(title: string): void {
    const lines = this.readMetrics();
    const train = lines.filter((line) => line.loss !== undefined).map((line) => [line.step, line.loss!] as const);
    const smoothed = train.map(([step], index) => {
      const window = train.slice(Math.max(0, index - 24), index + 1);
      return [step, window.reduce((sum, [, loss]) => sum + loss, 0) / window.length] as const;
    });
    const val = lines.filter((line) => line.val_loss !== undefined).map((line) => [line.step, line.val_loss!] as const);
    writeFileSync(
      this.chartPath,
      lineChartSVG(
        [
          { name: 'training loss (25-step mean)', points: smoothed, color: '#1f77b4' },
          { name: 'validation loss', points: val, color: '#d62728', dots: true },
        ],
        { title, xLabel: 'step', yLabel: 'cross-entropy (nats per token)' },
      ),
    );
  }
}
