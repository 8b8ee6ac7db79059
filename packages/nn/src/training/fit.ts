/**
 * `fit`: the training loop — epochs of forward, loss, backward and optimizer step, validation without
 * gradients, metrics, a learning-rate schedule and callbacks.
 */
import { Scope, ValueError, noGrad, type Tensor } from '@tessera/core';
import { History } from './history';
import { createMetric, type Metric, type MetricSpec } from './metrics/metric';
import type { BatchSource, Callback, Logs, OptimizerLike, SchedulerLike, TrainableModel, TrainingContext } from './types';

/** Options of {@link fit}. */
export interface FitOptions {
  /** Training batches `[input, target]`, e.g. a `DataLoader`; iterated once per epoch. */
  train: BatchSource;
  /** Validation batches, evaluated after every epoch in eval mode without gradients. */
  val?: BatchSource;
  /** The loss: a 0-d tensor from the model's output and the target (add penalties such as `l2Penalty` here). */
  loss: (prediction: Tensor, target: Tensor) => Tensor;
  optimizer: OptimizerLike;
  epochs: number;
  /** Stepped once per epoch; schedules that watch a metric (ReduceLROnPlateau) get `schedulerMonitor`'s value. */
  scheduler?: SchedulerLike;
  /** The log key a metric-driven scheduler watches (default `'val_loss'`, or `'loss'` without validation data). */
  schedulerMonitor?: string;
  callbacks?: Callback[];
  /** Metrics to log per epoch, for training and (as `val_<name>`) validation. */
  metrics?: MetricSpec[];
  /** Print one line per epoch (`true` or 1), or nothing (`false` or 0, the default). */
  verbose?: boolean | number;
  /** Where verbose lines go (default `console.log`). */
  print?: (line: string) => void;
  /**
   * Dispose each batch's tensors after use. Default: yes for loaders that make fresh tensors per batch,
   * no when `train` / `val` is an array (its tensors are reused every epoch).
   */
  disposeBatches?: boolean;
}

/**
 * Whether a scheduler's `step` wants the monitored metric: ReduceLROnPlateau-style schedules, recognised by a
 * `requiresMetric` flag, a numeric `patience`, or the class name.
 * @example
 * schedulerWantsMetric(new ReduceLROnPlateau(optimizer)); // true
 * schedulerWantsMetric(new StepLR(optimizer, { stepSize: 5 })); // false
 */
export function schedulerWantsMetric(scheduler: SchedulerLike): boolean {
  const candidate = scheduler as SchedulerLike & { requiresMetric?: unknown; patience?: unknown };
  if (typeof candidate.requiresMetric === 'boolean') return candidate.requiresMetric;
  return typeof candidate.patience === 'number' || /Plateau/.test(scheduler.constructor?.name ?? '');
}

interface PassResult {
  loss: number;
  metrics: Logs;
  samples: number;
}

function batchSize(input: Tensor): number {
  return input.ndim === 0 ? 1 : input.shape[0];
}

function disposeBatch(batch: readonly Tensor[]): void {
  for (const part of batch) if (!part.isDisposed) part.dispose();
}

function currentLr(optimizer: OptimizerLike): number | undefined {
  return optimizer.paramGroups?.[0]?.lr;
}

function checkLoss(loss: unknown): Tensor {
  const value = loss as Tensor;
  if (!value || typeof value !== 'object' || typeof value.backward !== 'function') {
    throw new ValueError(`fit: the loss function must return a tensor, got ${typeof loss}`);
  }
  if (value.size !== 1) {
    throw new ValueError(`fit: the loss function must return a single value (0-d tensor), got shape [${value.shape.join(', ')}]; use reduction 'mean' or 'sum'`);
  }
  return value;
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([key, value]) => `${key} ${Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(3)}`)
    .join(' - ');
}

/**
 * Train a model. For each epoch: `model.train()`, then per training batch `optimizer.zeroGrad()`, forward,
 * loss, `backward()`, `optimizer.step()` — every temporary freed when the batch ends, so memory stays
 * flat; then, with validation data, `model.eval()` and a pass under `noGrad`; then `scheduler.step()`;
 * then the callbacks. Losses and metrics are means over all samples of the epoch.
 *
 * Log keys: `loss`, each metric's name, `val_loss`, `val_<metric>`, and `lr` (the first parameter group's
 * learning rate during the epoch). A callback's `onEpochEnd` returning `true` (or setting `ctx.stopTraining`)
 * ends training after that epoch.
 * @example
 * const history = await fit(model, {
 *   train: new DataLoader(trainSet, { batchSize: 64, shuffle: true, seed: 0 }),
 *   val: new DataLoader(testSet, { batchSize: 256 }),
 *   loss: (logits, labels) => F.crossEntropy(logits, labels),
 *   optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }),
 *   epochs: 10,
 *   metrics: ['accuracy'],
 *   callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 3 }), new ProgressBar()],
 * });
 * history.last?.val_accuracy;
 */
export async function fit(model: TrainableModel, options: FitOptions): Promise<History> {
  const { train, val, optimizer, epochs, scheduler, callbacks = [] } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  if (typeof options.loss !== 'function') throw new ValueError('fit: options.loss must be a function (prediction, target) => Tensor');
  if (!train || (typeof (train as any)[Symbol.iterator] !== 'function' && typeof (train as any)[Symbol.asyncIterator] !== 'function')) {
    throw new ValueError('fit: options.train must be an iterable of [input, target] batches (a DataLoader or an array)');
  }
  const trainMetrics = (options.metrics ?? []).map(createMetric);
  const valMetrics = (options.metrics ?? []).map((spec) => (typeof spec === 'string' ? createMetric(spec) : spec));
  const names = trainMetrics.map((metric) => metric.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new ValueError(`fit: two metrics are named '${duplicate}'`);
  const verbose = Number(options.verbose ?? 0) > 0;
  const print = options.print ?? ((line: string) => console.log(line));
  const wantsMetric = scheduler ? schedulerWantsMetric(scheduler) : false;
  const monitor = options.schedulerMonitor ?? (val ? 'val_loss' : 'loss');

  const ctx: TrainingContext = {
    model,
    optimizer,
    stopTraining: false,
    epochs,
    batchesPerEpoch: typeof train.length === 'number' ? train.length : undefined,
    metricNames: names,
    hasValidation: val != null,
  };
  const history = new History();
  const initiallyTraining = model.training;

  for (const callback of callbacks) await callback.onTrainBegin?.(ctx);
  try {
    for (let epoch = 0; epoch < epochs && !ctx.stopTraining; epoch++) {
      const started = performance.now();
      const lr = currentLr(optimizer);
      for (const callback of callbacks) await callback.onEpochBegin?.(epoch, ctx);

      model.train();
      const batchCallbacks = callbacks.filter((callback) => callback.onBatchEnd);
      const trained = await runPass(
        model,
        train,
        options,
        trainMetrics,
        'train',
        batchCallbacks.length
          ? async (batch, logs) => {
              for (const callback of batchCallbacks) await callback.onBatchEnd!(batch, logs, ctx);
            }
          : undefined,
      );
      if (trained.samples === 0) throw new ValueError('fit: the training data yielded no batches');
      const logs: Logs = { loss: trained.loss, ...trained.metrics };

      if (val) {
        model.eval();
        const validated = await runPass(model, val, options, valMetrics, 'val');
        logs.val_loss = validated.loss;
        for (const [name, value] of Object.entries(validated.metrics)) logs[`val_${name}`] = value;
      }
      if (lr !== undefined) logs.lr = lr;

      if (scheduler) {
        if (wantsMetric) {
          const value = logs[monitor];
          if (value === undefined) throw new ValueError(`fit: the scheduler monitors '${monitor}', which is not in the logs (${Object.keys(logs).join(', ')})`);
          scheduler.step(value);
        } else {
          scheduler.step();
        }
      }

      history.epochs.push(logs);
      for (const callback of callbacks) {
        const stop = await callback.onEpochEnd?.(epoch, logs, ctx);
        if (stop === true) ctx.stopTraining = true;
      }
      const seconds = (performance.now() - started) / 1000;
      history.seconds.push(seconds);
      if (verbose) print(`epoch ${epoch + 1}/${epochs} - ${formatLogs(logs)} - ${seconds.toFixed(2)}s`);
    }
    history.stoppedEarly = ctx.stopTraining && history.epochs.length < epochs;
    for (const callback of callbacks) await callback.onTrainEnd?.(history.last ?? {}, ctx);
  } finally {
    model.train(initiallyTraining ?? true);
  }
  return history;
}

/** One pass over a batch source: training (with updates) or evaluation (under noGrad). */
async function runPass(
  model: TrainableModel,
  batches: BatchSource,
  options: FitOptions,
  metrics: Metric[],
  mode: 'train' | 'val',
  onBatchEnd?: (batch: number, logs: Logs) => Promise<void>,
): Promise<PassResult> {
  const disposeBatches = options.disposeBatches ?? !Array.isArray(batches);
  for (const metric of metrics) metric.reset();
  let lossSum = 0;
  let samples = 0;
  let index = 0;
  for await (const batch of batches as AsyncIterable<readonly Tensor[]>) {
    if (!Array.isArray(batch) || batch.length < 2) {
      throw new ValueError(`fit: each ${mode === 'train' ? 'training' : 'validation'} batch must be an [input, target] pair of tensors, got ${Array.isArray(batch) ? `${batch.length} element(s)` : typeof batch}`);
    }
    const [input, target] = batch;
    // Every tensor made for this batch (outputs, loss, graph) lives in this scope and dies with it.
    // The optimizer steps outside it: its state must outlive the batch.
    const batchScope = new Scope();
    try {
      const step = () => {
        const prediction = model.forward(input);
        const loss = checkLoss(options.loss(prediction, target));
        return { prediction, loss };
      };
      let prediction: Tensor;
      let loss: Tensor;
      if (mode === 'train') {
        options.optimizer.zeroGrad();
        ({ prediction, loss } = batchScope.run(() => {
          const result = step();
          result.loss.backward();
          return { prediction: result.prediction.detach(), loss: result.loss.detach() };
        }));
        await options.optimizer.step();
      } else {
        ({ prediction, loss } = batchScope.run(() => noGrad(step)));
      }
      const size = batchSize(input);
      const lossValue = await loss.item();
      lossSum += lossValue * size;
      samples += size;
      for (const metric of metrics) await metric.update(prediction, target);
      if (onBatchEnd) {
        // Keras-style batch logs: the running means of the epoch so far, plus this batch's own loss.
        const logs: Logs = { loss: lossSum / samples, batchLoss: lossValue, size };
        for (const metric of metrics) logs[metric.name] = await metric.compute();
        await onBatchEnd(index, logs);
      }
    } finally {
      batchScope.dispose();
      if (disposeBatches) disposeBatch(batch);
    }
    index++;
  }
  const metricValues: Logs = {};
  for (const metric of metrics) metricValues[metric.name] = await metric.compute();
  return { loss: samples ? lossSum / samples : Number.NaN, metrics: metricValues, samples };
}
