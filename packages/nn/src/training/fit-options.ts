/**
 * `fit`'s options, and their checks: every mistake is a `ValueError` naming the option, what was given and
 * what is expected, thrown before any training happens.
 */
import { ValueError, type Tensor } from '@tessera/core';
import type { FitCheckpointOptions } from './fit-checkpoint';
import type { MetricSpec } from './metrics/metric';
import type { BatchSource, Callback, GradScalerLike, OptimizerLike, SchedulerLike, TrainableModel } from './types';

/** `fit`'s `mixedPrecision` as an object. */
export interface MixedPrecisionOptions {
  /** The loss scaler (default: a new `GradScaler()` from @tessera/optim, loaded when `fit` starts). */
  scaler?: GradScalerLike;
}

/** Options of `fit`. Give `epochs` or `steps` (how long), and `loss` or `computeLoss` (what to minimise). */
export interface FitOptions<M extends TrainableModel = TrainableModel> {
  /**
   * Training batches `[input, target]`, e.g. a `DataLoader` or an endless `RandomWindowSampler`. An epoch run
   * iterates it once per epoch; a step run iterates it again whenever it ends, until `steps` steps are done.
   */
  train: BatchSource;
  /** Validation batches, evaluated in eval mode without gradients: after every epoch, every `evalInterval` steps, and at the end of a step run. */
  val?: BatchSource;
  /** The loss from the model's output and the target: a 0-d tensor (add penalties such as `l2Penalty` here). `fit` calls `model.forward(input)`. */
  loss?: (prediction: Tensor, target: Tensor) => Tensor;
  /**
   * The loss straight from the model, instead of `forward` + `loss` — for models that compute it themselves:
   * `computeLoss: (gpt, x, y) => gpt.forward(x, { targets: y }).loss!`. Metrics need `loss` instead.
   */
  computeLoss?: (model: M, input: Tensor, target: Tensor) => Tensor;
  optimizer: OptimizerLike;
  /**
   * Gradient accumulation: each optimizer step averages the gradients of this many consecutive batches
   * (micro-batches) — every batch's loss is divided by N before `backward()` — so a step sees the gradient of
   * one batch N times larger while memory holds one micro-batch at a time. Steps, evaluations, schedules and
   * checkpoints count optimizer steps, and a step's `loss` log is the mean over its micro-batches. An epoch
   * that ends mid-group steps with the batches it has (their gradients' mean). Default 1.
   */
  accumulationSteps?: number;
  /**
   * Mixed precision: the forward pass and the loss (also in evaluation) run under core's `autocast`
   * (matmuls, linear layers, convolutions and attention in float16; softmax, reductions, layer norm and
   * losses in float32) and the loss is scaled by a `GradScaler` before `backward()`; steps whose gradients
   * overflow are skipped and the scale adapts (step logs carry `loss_scale`). Keep the model in float32:
   * those are the master weights. `true` loads optim's `GradScaler` with PyTorch's defaults; pass
   * `{ scaler }` to configure one. On the CPU backend float16 is emulated (slower than float32): use it
   * there to check correctness; it pays where float16 is native (WebGPU with `shader-f16`).
   */
  mixedPrecision?: boolean | MixedPrecisionOptions;
  /** Passes over `train` (an epoch run). Give this or `steps`. */
  epochs?: number;
  /**
   * Optimizer steps in all (a step run), one per batch, cycling `train` as often as needed; a resumed run
   * counts the checkpoint's steps. Give this or `epochs`.
   */
  steps?: number;
  /** A learning-rate schedule, stepped every epoch or every step (`schedulerInterval`). */
  scheduler?: SchedulerLike;
  /**
   * When the scheduler steps: `'epoch'` (after each epoch; the default of epoch runs) or `'step'` (after each
   * optimizer step; the default, and the only choice, of step runs). A schedule that watches a metric
   * (ReduceLROnPlateau) steps whenever its `schedulerMonitor` value is logged.
   */
  schedulerInterval?: 'epoch' | 'step';
  /** The log key a metric-driven scheduler watches (default `'val_loss'`, or `'loss'` without validation data). */
  schedulerMonitor?: string;
  callbacks?: Callback[];
  /** Metrics to log, for training (per epoch, epoch runs only) and as `val_<name>` at every evaluation. Need `loss`, not `computeLoss`. */
  metrics?: MetricSpec[];
  /**
   * Called after `backward()` and before `optimizer.step()` with the model's parameters — for gradient
   * clipping, e.g. `(params) => clipGradNorm(params, 1.0)` with optim's `clipGradNorm`. When it returns the
   * norm before clipping (a 0-d tensor, freed by `fit`, or a number), step logs get it as `grad_norm`.
   */
  clipGradients?: (parameters: Tensor[]) => Tensor | number | void;
  /** Evaluate on `val` every this many steps (logged as `val_loss` in that step's logs). */
  evalInterval?: number;
  /** Use at most this many `val` batches per evaluation (nanoGPT's `eval_iters`); needed for an endless `val`. */
  evalBatches?: number;
  /** Tokens (or samples) in a batch, for `tokens_per_sec` in the step logs (default: `input.size`). */
  tokensPerBatch?: (input: Tensor) => number;
  /** Keep every this many steps' logs in `history.steps` and print them when verbose (default 1; steps with an evaluation and the last step always). */
  logInterval?: number;
  /**
   * Write a checkpoint into `dir` every `every` steps and when training ends, is stopped or is aborted:
   * weights, optimizer, schedule, step, random-number state, the sources' state and the history. Step runs only.
   */
  checkpoint?: FitCheckpointOptions;
  /** Continue from the checkpoint in `checkpoint.dir` (`true`) or in the given folder; it must exist. Step runs only. */
  resume?: boolean | string;
  /** When it fires, `fit` finishes the current step, writes a checkpoint (if configured) and returns with `history.stopped === 'aborted'`. */
  signal?: AbortSignal;
  /** Print one line per epoch, or per logged step in a step run (`true` or 1), or nothing (`false` or 0, the default). */
  verbose?: boolean | number;
  /** Where verbose lines go (default `console.log`). */
  print?: (line: string) => void;
  /**
   * Dispose each batch's tensors after use. Default: yes for loaders that make fresh tensors per batch,
   * no when `train` / `val` is an array (its tensors are reused every epoch).
   */
  disposeBatches?: boolean;
}

/** @internal The checked, defaulted form of the options that decide how `fit` runs. */
export interface FitPlan {
  mode: 'epochs' | 'steps';
  epochs: number;
  steps: number;
  schedulerInterval: 'epoch' | 'step';
  evalInterval: number | undefined;
  evalBatches: number;
  logInterval: number;
  checkpoint: Required<Pick<FitCheckpointOptions, 'dir' | 'keep'>> & { every: number | undefined } | undefined;
  resumeDir: string | undefined;
  accumulationSteps: number;
  /** Null without mixed precision; `scaler` is the one given, if any. */
  mixedPrecision: { scaler: GradScalerLike | undefined } | null;
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function countOption(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!isCount(value, min)) throw new ValueError(`fit: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got ${String(value)}`);
  return value;
}

/**
 * @internal Check `fit`'s options and fill in the defaults.
 * @example
 * planFit(options).mode; // 'steps' when options.steps is given
 */
export function planFit(options: FitOptions<any>): FitPlan {
  if (options === null || typeof options !== 'object') throw new ValueError('fit: expected an options object { train, loss or computeLoss, optimizer, epochs or steps }');
  const { epochs, steps } = options;
  if (epochs !== undefined && steps !== undefined) throw new ValueError(`fit: give epochs or steps, not both (got epochs ${String(epochs)} and steps ${String(steps)})`);
  if (epochs === undefined && steps === undefined) throw new ValueError('fit: say how long to train: epochs (passes over train) or steps (optimizer steps)');
  if (epochs !== undefined && !isCount(epochs, 0)) throw new ValueError(`fit: epochs must be a non-negative integer, got ${String(epochs)}`);
  if (steps !== undefined && !isCount(steps, 0)) throw new ValueError(`fit: steps must be a non-negative integer, got ${String(steps)}`);
  const mode = steps !== undefined ? 'steps' : 'epochs';

  if (options.loss !== undefined && options.computeLoss !== undefined) throw new ValueError('fit: give loss or computeLoss, not both');
  if (options.computeLoss !== undefined) {
    if (typeof options.computeLoss !== 'function') throw new ValueError('fit: options.computeLoss must be a function (model, input, target) => Tensor');
    if (options.metrics?.length) {
      throw new ValueError('fit: metrics need the model\'s prediction, which computeLoss does not give; use loss: (prediction, target) => Tensor to log metrics');
    }
  } else if (typeof options.loss !== 'function') {
    throw new ValueError('fit: options.loss must be a function (prediction, target) => Tensor, or give computeLoss: (model, input, target) => Tensor');
  }
  if (!isBatchSource(options.train)) throw new ValueError('fit: options.train must be an iterable of [input, target] batches (a DataLoader or an array)');
  if (options.val !== undefined && !isBatchSource(options.val)) throw new ValueError('fit: options.val must be an iterable of [input, target] batches (a DataLoader or an array)');
  if ('clipGradNorm' in options) {
    throw new ValueError("fit: there is no clipGradNorm option; pass clipGradients: (params) => clipGradNorm(params, maxNorm) with clipGradNorm from '@tessera/optim'");
  }
  for (const name of ['clipGradients', 'tokensPerBatch'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new ValueError(`fit: options.${name} must be a function`);
  }

  const interval = options.schedulerInterval ?? (mode === 'steps' ? 'step' : 'epoch');
  if (interval !== 'epoch' && interval !== 'step') throw new ValueError(`fit: schedulerInterval must be 'epoch' or 'step', got ${JSON.stringify(interval)}`);
  if (mode === 'steps' && interval === 'epoch') throw new ValueError("fit: schedulerInterval 'epoch' needs an epoch run; a step run (steps) steps the scheduler per step");

  const evalInterval = countOption('evalInterval', options.evalInterval, 1);
  const evalBatches = countOption('evalBatches', options.evalBatches, 1);
  if (evalInterval !== undefined && options.val === undefined) throw new ValueError('fit: evalInterval needs val data to evaluate on');
  const logInterval = countOption('logInterval', options.logInterval, 1) ?? 1;

  let checkpoint: FitPlan['checkpoint'];
  if (options.checkpoint !== undefined) {
    const { dir, every, keep } = options.checkpoint ?? ({} as FitCheckpointOptions);
    if (typeof dir !== 'string' || dir.length === 0) throw new ValueError('fit: checkpoint.dir must be a non-empty folder path');
    checkpoint = { dir, every: countOption('checkpoint.every', every, 1), keep: countOption('checkpoint.keep', keep, 1) ?? 1 };
  }
  let resumeDir: string | undefined;
  if (options.resume !== undefined && options.resume !== false) {
    if (options.resume === true) {
      if (!checkpoint) throw new ValueError('fit: resume: true resumes from checkpoint.dir; give checkpoint: { dir } or resume: "<folder>"');
      resumeDir = checkpoint.dir;
    } else if (typeof options.resume === 'string' && options.resume.length > 0) {
      resumeDir = options.resume;
    } else {
      throw new ValueError(`fit: resume must be true, false or a checkpoint folder, got ${JSON.stringify(options.resume)}`);
    }
  }
  if ((checkpoint || resumeDir) && mode !== 'steps') throw new ValueError('fit: checkpoint and resume need a step run (steps: N); an epoch run cannot resume mid-epoch');
  if (checkpoint || resumeDir) {
    const { optimizer, scheduler } = options;
    if (typeof optimizer?.stateDict !== 'function' || typeof optimizer.loadStateDict !== 'function') {
      throw new ValueError("fit: checkpoint and resume need an optimizer with stateDict() and loadStateDict() (as @tessera/optim's optimizers have)");
    }
    if (scheduler && (typeof scheduler.stateDict !== 'function' || typeof scheduler.loadStateDict !== 'function')) {
      throw new ValueError("fit: checkpoint and resume need a scheduler with stateDict() and loadStateDict() (as @tessera/optim's schedules have)");
    }
  }
  const accumulationSteps = countOption('accumulationSteps', options.accumulationSteps, 1) ?? 1;
  let mixedPrecision: FitPlan['mixedPrecision'] = null;
  const precision = options.mixedPrecision;
  if (precision === true) mixedPrecision = { scaler: undefined };
  else if (precision !== undefined && precision !== false) {
    const scaler = precision?.scaler;
    if (precision === null || typeof precision !== 'object') throw new ValueError(`fit: mixedPrecision must be true, false or { scaler }, got ${String(precision)}`);
    if (scaler !== undefined && (typeof scaler?.scale !== 'function' || typeof scaler.step !== 'function' || typeof scaler.update !== 'function' || typeof scaler.unscale_ !== 'function')) {
      throw new ValueError("fit: mixedPrecision.scaler must be a loss scaler with scale, unscale_, step and update (optim's GradScaler)");
    }
    mixedPrecision = { scaler };
  }
  if (options.signal !== undefined && typeof options.signal?.aborted !== 'boolean') throw new ValueError('fit: options.signal must be an AbortSignal (e.g. new AbortController().signal)');

  return {
    mode,
    epochs: epochs ?? 0,
    steps: steps ?? 0,
    schedulerInterval: interval,
    evalInterval,
    evalBatches: evalBatches ?? Infinity,
    logInterval,
    checkpoint,
    resumeDir,
    accumulationSteps,
    mixedPrecision,
  };
}

function isBatchSource(source: unknown): source is BatchSource {
  return (
    source !== null &&
    typeof source === 'object' &&
    (typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function' || typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}
