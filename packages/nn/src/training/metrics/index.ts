export { accuracy } from './accuracy';
export { confusionMatrix } from './confusion-matrix';
export { precision, recall, f1Score, scoreFromConfusionMatrix, type Average, type PrecisionRecallOptions } from './precision-recall-f1';
export { logLoss, type LogLossOptions } from './log-loss';
export type { ClassificationOptions } from './classification-inputs';
export { ConfusionMatrixMetric, LogLossMetric, createMetric, type Metric, type MetricName, type MetricSpec } from './metric';
