/**
 * Training tools: `fit`, its callbacks (`ModelCheckpoint`, `ProgressBar`; `EarlyStopping` lives in
 * @tessera/optim) and classification metrics.
 */
export { fit, schedulerWantsMetric, type FitOptions, type MixedPrecisionOptions } from './fit';
export { readFitCheckpoint, type FitCheckpointOptions, type FitCheckpointManifest, type FitCheckpointFile } from './fit-checkpoint';
export { History, type HistoryData, type StopReason } from './history';
export {
  hyperparameterSearch, type HyperparameterSearchOptions, type SearchSpace, type Distribution, type Config, type TrialOutcome, type TrialResult, type SearchResult,
} from './hyperparameter-search';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint';
export { ProgressBar, type ProgressBarOptions } from './progress-bar';
export { writeFileAtomic } from './atomic-write';
export type { BatchSource, Callback, GradScalerLike, Logs, ScalableOptimizerLike, OptimizerLike, OptimizerStateLike, SchedulerLike, TrainableModel, TrainingContext } from './types';
export * from './metrics/index';
