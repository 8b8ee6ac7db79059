/**
 * Training for the comparisons: every model goes through nn's `fit` with the main job's recipe (AdamW,
 * weight decay on matrices only, warm-up + cosine decay, gradient clipping, periodic validation), so a
 * comparison changes one thing — the model or the tokenizer — and nothing else.
 */
import { ValueError, type Tensor } from '@tessera/core';
import { fit, type BatchSource, type Callback, type History, type Logs } from '@tessera/nn';
import { AdamW, WarmupCosineLR, clipGradNorm } from '@tessera/optim';
import { DEFAULTS } from '../gpt/presets';
import type { LanguageModel } from './lstm-language-model';

/** A model `fit` can train here: a language model with the nanoGPT weight-decay split. */
export interface TrainableLanguageModel extends LanguageModel {
  parameterGroups(weightDecay: number): { params: Tensor[]; weightDecay: number }[];
}

/** The budget and recipe of one training run; unset numbers are the main job's defaults (`pnpm start`). */
export interface LanguageModelTraining {
  train: BatchSource;
  val?: BatchSource;
  steps: number;
  /** Tokens per batch (batch × block), for the throughput. */
  tokensPerStep: number;
  lr?: number;
  minLr?: number;
  warmup?: number;
  weightDecay?: number;
  betas?: [number, number];
  gradClip?: number;
  /** Validate every this many steps (and after the last) on `evalBatches` batches of `val`. */
  evalInterval?: number;
  evalBatches?: number;
  /** Called after each step with fit's logs (progress lines, checks); returning true stops training. */
  onStep?: (step: number, logs: Logs) => void | boolean | Promise<void | boolean>;
}

/** What {@link trainLanguageModel} measured. */
export interface TrainingRun {
  history: History;
  /** Training tokens per second over the steps that did not evaluate. */
  tokensPerSec: number;
  /** Wall-clock seconds of the whole `fit`, evaluations included. */
  seconds: number;
  /** Steps run (fewer than asked when `onStep` stopped the run). */
  steps: number;
  /** Training loss of the first and last steps. */
  firstLoss: number;
  lastLoss: number;
  /** Validation losses `[step, loss]` (nats per token). */
  valLoss: [number, number][];
}

/**
 * Times the steps that only trained: from the end of the previous step's callbacks to the end of this
 * step (so progress lines and checks are not counted), skipping steps that ended with an evaluation.
 */
class ThroughputMeter implements Callback {
  private last = performance.now();
  seconds = 0;
  steps = 0;

  onTrainBegin(): void {
    this.restart();
  }

  onStepEnd(_step: number, logs: Logs): void {
    if (logs.val_loss === undefined) {
      this.seconds += (performance.now() - this.last) / 1000;
      this.steps++;
    }
  }

  /** Called after the other callbacks: the next step's time starts now. */
  restart(): void {
    this.last = performance.now();
  }
}

/**
 * Trains `model` for `options.steps` optimizer steps through `fit` with the main job's recipe.
 * @example
 * const run = await trainLanguageModel(gpt, { train, val, steps: 300, tokensPerStep: 12 * 64, evalInterval: 100, evalBatches: 20 });
 * run.valLoss.at(-1); // [300, 2.4…] (step, nats per token)
 */
export async function trainLanguageModel(model: TrainableLanguageModel, options: LanguageModelTraining): Promise<TrainingRun> {
  const weightDecay = options.weightDecay ?? DEFAULTS.weightDecay;
  const optimizer = new AdamW(model.parameterGroups(weightDecay), {
    lr: options.lr ?? DEFAULTS.lr,
    betas: options.betas ?? [DEFAULTS.beta1, DEFAULTS.beta2],
    weightDecay,
  });
  const scheduler = new WarmupCosineLR(optimizer, { warmupSteps: Math.min(options.warmup ?? DEFAULTS.warmup, Math.floor(options.steps / 2)), totalSteps: options.steps, minLr: options.minLr ?? DEFAULTS.minLr });
  const meter = new ThroughputMeter();
  const gradClip = options.gradClip ?? DEFAULTS.gradClip;
  const progress: Callback = { onStepEnd: (step, logs) => options.onStep?.(step, logs) };
  const started = performance.now();
  const history = await fit(model, {
    train: options.train,
    ...(options.val ? { val: options.val, evalInterval: options.evalInterval ?? options.steps, evalBatches: options.evalBatches ?? DEFAULTS.evalIters } : {}),
    computeLoss: (m, x, y) => (m as TrainableLanguageModel).forward(x, { targets: y }).loss!,
    optimizer,
    scheduler,
    steps: options.steps,
    clipGradients: gradClip > 0 ? (params: Tensor[]) => clipGradNorm(params, gradClip) : undefined,
    tokensPerBatch: () => options.tokensPerStep,
    callbacks: [meter, progress, { onStepEnd: () => meter.restart() }],
  });
  const seconds = (performance.now() - started) / 1000;
  optimizer.dispose();
  const losses = history.stepSeries('loss');
  return {
    history,
    tokensPerSec: meter.seconds > 0 ? (meter.steps * options.tokensPerStep) / meter.seconds : 0,
    seconds,
    steps: losses.at(-1)![0],
    firstLoss: losses[0][1],
    lastLoss: losses.at(-1)![1],
    valLoss: history.stepSeries('val_loss'),
  };
}

/**
 * Steps of a full comparison run: `fallback`, or `TESSERA_STEPS` from the environment (as `pnpm start`
 * reads it) for a longer or shorter budget.
 * @example
 * languageModelSteps(250); // 250, or 1000 under TESSERA_STEPS=1000
 */
export function languageModelSteps(fallback: number, env: Record<string, string | undefined> = process.env): number {
  if (env.TESSERA_STEPS === undefined || env.TESSERA_STEPS === '') return fallback;
  const steps = Number(env.TESSERA_STEPS);
  if (!Number.isInteger(steps) || steps < 1) throw new ValueError(`TESSERA_STEPS must be a positive integer, got ${JSON.stringify(env.TESSERA_STEPS)}`);
  return steps;
}
