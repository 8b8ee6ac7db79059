/**
 * @tessera/optim — optimizers (SGD, Adam, AdamW, RMSprop, Adagrad) with updates identical to PyTorch's,
 * learning-rate schedules, gradient clipping, early stopping and random restarts.
 *
 * @example
 * import { SGD } from '@tessera/optim';
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export {
  Optimizer,
  type OptimizerOptions,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type ParamState,
  type OptimizerStateDict,
} from './optimizer';
export { SGD, type SGDOptions } from './optimizers/sgd';
export { Adam, type AdamOptions } from './optimizers/adam';
export { AdamW, type AdamWOptions } from './optimizers/adamw';
export { RMSprop, type RMSpropOptions } from './optimizers/rmsprop';
export { Adagrad, type AdagradOptions } from './optimizers/adagrad';
export { SparseAdam, type SparseAdamOptions } from './optimizers/sparse-adam';

export { LRScheduler, type Scheduler, type SchedulerStateDict, type OptimizerLike } from './schedulers/scheduler';
export { StepLR, type StepLROptions } from './schedulers/step-lr';
export { ExponentialLR, type ExponentialLROptions } from './schedulers/exponential-lr';
export { InverseSqrtLR, type InverseSqrtLROptions } from './schedulers/inverse-sqrt-lr';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './schedulers/cosine-annealing-lr';
export { LinearWarmup, type LinearWarmupOptions } from './schedulers/linear-warmup';
export { WarmupCosineLR, type WarmupCosineLROptions } from './schedulers/warmup-cosine-lr';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './schedulers/reduce-lr-on-plateau';

export { clipGradNorm, clipGradValue } from './clip';
export { GradScaler, type GradScalerOptions, type GradScalerStateDict, type ScalableOptimizer } from './grad-scaler';
export { EarlyStopping, type EarlyStoppingOptions, type ModuleLike, type TrainingContext } from './early-stopping';
export { randomRestarts, type RandomRestartsOptions, type RandomRestartsResult, type TrialResult } from './random-restarts';
