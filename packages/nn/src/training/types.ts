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
  forward(...args: any[]): Tensor;
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
}

/**
 * A learning-rate schedule stepped once per epoch. Schedules that watch a metric (ReduceLROnPlateau)
 * receive the monitored value — see {@link schedulerWantsMetric}.
 * @example
 * const scheduler: SchedulerLike = new StepLR(optimizer, { stepSize: 10, gamma: 0.1 });
 */
export interface SchedulerLike {
  step(metric?: number): void;
  getLastLr?(): number[];
}

/** Per-epoch (or per-batch) numbers: `loss`, `val_loss`, `accuracy`, `val_accuracy`, `lr` … */
export type Logs = Record<string, number>;

/**
 * What callbacks see. Set `stopTraining = true` to end training after the current epoch.
 * @example
 * const stopAtOne: Callback = { onEpochEnd: (epoch, logs, ctx) => { if (logs.loss < 1) ctx.stopTraining = true; } };
 */
export interface TrainingContext {
  model: TrainableModel;
  optimizer: OptimizerLike;
  stopTraining: boolean;
  /** Number of epochs requested. */
  epochs: number;
  /** Training batches per epoch, when the training data knows its length. */
  batchesPerEpoch?: number;
  /** Metric names that appear in the logs (without the `val_` prefix). */
  metricNames: string[];
  /** Whether validation data was given (so `val_` keys exist). */
  hasValidation: boolean;
}

/**
 * Hooks into `fit`. Every method is optional and may be async; `onEpochEnd` returning `true` stops training.
 * Epochs and batches are counted from 0.
 * @example
 * const printer: Callback = { onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) };
 * await fit(model, { train, loss, optimizer, epochs: 3, callbacks: [printer] });
 */
export interface Callback {
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainingContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainingContext): void | boolean | Promise<void | boolean>;
  onTrainEnd?(logs: Logs, ctx: TrainingContext): void | Promise<void>;
}

/**
 * A batch source: any (async) iterable of `[input, target]` tensor pairs, such as data's `DataLoader`
 * (which yields `Tensor[]`), or an array of pairs.
 */
export type BatchSource = (Iterable<readonly Tensor[]> | AsyncIterable<readonly Tensor[]>) & { length?: number };
