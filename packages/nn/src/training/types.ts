/**
 * The structural types `fit` works with. nn's `Module`, optim's optimizers and schedulers, and data's
 * `DataLoader` all satisfy them without this file importing those packages.
 */
import type { Tensor } from '@tessera/core';

/**
 * What `fit` needs from a model: nn's `Module` satisfies it.
 * @example
 * const model: TrainableModel = new Sequential(new Linear(4, 3));
 */
export interface TrainableModel {
  /** With `fit`'s `loss` option, `forward(input)` returns the prediction tensor; `computeLoss` may call it any way. */
  forward(...args: any[]): any;
  parameters(): Tensor[];
  train(mode?: boolean): unknown;
  eval(): unknown;
  readonly training?: boolean;
  stateDict(): Record<string, Tensor>;
  loadStateDict(stateDict: Record<string, Tensor>, options?: { strict?: boolean }): unknown;
}

/**
 * What `fit` needs from an optimizer: optim's `SGD`, `Adam` … satisfy it.
 * @example
 * const optimizer: OptimizerLike = new SGD(model.parameters(), { lr: 0.1 });
 */
export interface OptimizerLike {
  step(): void | Promise<void>;
  zeroGrad(): void;
  paramGroups?: readonly { lr: number }[];
  /** Needed by `fit`'s `checkpoint` and `resume` (optim's optimizers have it). */
  stateDict?(): OptimizerStateLike;
  loadStateDict?(stateDict: OptimizerStateLike): void;
}

/**
 * An optimizer's state as optim's `stateDict()` returns it (PyTorch's layout): per-parameter state by
 * position — tensors and numbers — and each parameter group's options with its parameters' positions.
 */
export interface OptimizerStateLike {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: object[];
}

/** An optimizer whose parameter groups list their parameters, as a loss scaler needs (optim's optimizers). */
export type ScalableOptimizerLike = OptimizerLike & { readonly paramGroups: readonly { readonly params: readonly Tensor[] }[] };

/**
 * What `fit`'s `mixedPrecision` needs from a loss scaler: optim's `GradScaler` satisfies it.
 * @example
 * const scaler: GradScalerLike = new GradScaler({ initScale: 2 ** 12 });
 */
export interface GradScalerLike {
  /** The loss multiplied by the current scale. */
  scale(loss: Tensor): Tensor;
  /** Divide the optimizer's gradients by the scale and look for inf/NaN. */
  unscale_(optimizer: ScalableOptimizerLike): Promise<void>;
  /** Step unless a gradient is inf/NaN; resolves to whether it stepped. */
  step(optimizer: ScalableOptimizerLike): Promise<boolean>;
  /** Adjust the scale after the iteration. */
  update(): void;
  /** The current scale. */
  getScale(): number;
  /** Saved with `fit`'s checkpoints when present. */
  stateDict?(): object;
  loadStateDict?(state: any): void;
}

/**
 * A learning-rate schedule, stepped once per epoch or once per optimizer step (`fit`'s `schedulerInterval`).
 * Schedules that watch a metric (ReduceLROnPlateau) receive the monitored value — see {@link schedulerWantsMetric}.
 * @example
 * const scheduler: SchedulerLike = new StepLR(optimizer, { stepSize: 10, gamma: 0.1 });
 */
export interface SchedulerLike {
  step(metric?: number): void;
  getLastLr?(): number[];
  /** Needed by `fit`'s `checkpoint` and `resume` (optim's schedules have it); the state must be JSON-like. */
  stateDict?(): Record<string, unknown>;
  loadStateDict?(stateDict: Record<string, unknown>): void;
}

/** Per-epoch (or per-batch) numbers: `loss`, `val_loss`, `accuracy`, `val_accuracy`, `lr` … */
export type Logs = Record<string, number>;

/**
 * What callbacks see. Set `stopTraining = true` to end training after the current epoch (in epoch runs)
 * or after the current step (in step runs).
 * @example
 * const stopAtOne: Callback = { onEpochEnd: (epoch, logs, ctx) => { if (logs.loss < 1) ctx.stopTraining = true; } };
 */
export interface TrainingContext {
  model: TrainableModel;
  optimizer: OptimizerLike;
  stopTraining: boolean;
  /** `'epochs'` when `fit` was given `epochs`, `'steps'` when it was given `steps`. */
  mode: 'epochs' | 'steps';
  /** Number of epochs requested (0 in a step run). */
  epochs: number;
  /** Number of optimizer steps requested, in a step run (counting the steps of a resumed checkpoint). */
  steps?: number;
  /** Optimizer steps done so far (a resumed run starts at the checkpoint's step). */
  step: number;
  /** The step this call of `fit` started from: 0, or the checkpoint's step when resuming. */
  startStep: number;
  /** Training batches per epoch, when the training data knows its length. */
  batchesPerEpoch?: number;
  /** Metric names that appear in the logs (without the `val_` prefix). */
  metricNames: string[];
  /** Whether validation data was given (so `val_` keys exist). */
  hasValidation: boolean;
}

/**
 * Hooks into `fit`. Every method is optional and may be async; `onEpochEnd` or `onStepEnd` returning `true`
 * stops training (as setting `ctx.stopTraining` does). Epochs and batches are counted from 0, steps from 1.
 *
 * - `onBatchEnd(batch, logs)`: after every training batch; `batch` counts from 0 within the current pass over
 *   `train` (an epoch), `logs` are the pass's running means (`loss`, metrics) plus `batchLoss` and `size`.
 * - `onStepEnd(step, logs)`: after every optimizer step, in both kinds of run; `step` is the number of steps
 *   done (from 1, continuing after a resume), `logs` the step's own numbers: `step`, `loss` (this batch),
 *   `lr` (the rate this step used), `tokens_per_sec` (smoothed), `grad_norm` (with `clipGradients`), and
 *   `val_loss` / `val_<metric>` when the step ended with an evaluation.
 * @example
 * const printer: Callback = { onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) };
 * await fit(model, { train, loss, optimizer, epochs: 3, callbacks: [printer] });
 * const sampler: Callback = { onStepEnd: (step, logs) => { if (logs.val_loss !== undefined) console.log(step, logs.val_loss); } };
 */
export interface Callback {
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainingContext): void | Promise<void>;
  onStepEnd?(step: number, logs: Logs, ctx: TrainingContext): void | boolean | Promise<void | boolean>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainingContext): void | boolean | Promise<void | boolean>;
  onTrainEnd?(logs: Logs, ctx: TrainingContext): void | Promise<void>;
}

/**
 * A batch source: any (async) iterable of `[input, target]` tensor pairs, such as data's `DataLoader`
 * (which yields `Tensor[]`) or `RandomWindowSampler` (endless), or an array of pairs. A source with
 * `stateDict()` / `loadStateDict()` (JSON-like state) is saved in `fit`'s checkpoints and restored on resume.
 */
export type BatchSource = (Iterable<readonly Tensor[]> | AsyncIterable<readonly Tensor[]>) & {
  length?: number;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
};
