/**
 * `fit`: the training loop — forward, loss, backward, optional gradient clipping and the optimizer step
 * for every batch; validation without gradients; metrics; a learning-rate schedule stepped per epoch or
 * per step; callbacks; and, for long step runs, periodic evaluation, throughput, checkpoints, resume and
 * a clean stop on an abort signal. One loop serves both kinds of run: an epoch run ends after `epochs`
 * passes over the training data, a step run after `steps` optimizer steps, cycling the data as needed.
 */
import { Scope, ValueError, autocast, isTensor, noGrad, type Tensor } from '@tessera/core';
import { restoreFitCheckpoint, writeFitCheckpoint } from './fit-checkpoint';
import { planFit, type FitOptions, type FitPlan } from './fit-options';
import { History } from './history';
import { createMetric, type Metric } from './metrics/metric';
import type { BatchSource, Callback, GradScalerLike, Logs, OptimizerLike, ScalableOptimizerLike, SchedulerLike, TrainableModel, TrainingContext } from './types';

export type { FitOptions, MixedPrecisionOptions } from './fit-options';

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

/**
 * Train a model, for a number of epochs or of optimizer steps, and return its {@link History}.
 *
 * Each step: `optimizer.zeroGrad()`, the loss (`loss(model.forward(input), target)`, or `computeLoss(model,
 * input, target)`), `backward()`, `clipGradients(parameters)` when given, `optimizer.step()` — every
 * temporary freed when the step ends, so memory stays flat. Validation runs in eval mode under `noGrad`.
 *
 * - **Epoch runs** (`epochs`): per epoch, `model.train()`, one pass over `train`, then validation, then
 *   `scheduler.step()`, then `onEpochEnd`. Epoch logs: `loss`, metrics, `val_loss`, `val_<metric>`, `lr`
 *   (means over all samples of the epoch).
 * - **Step runs** (`steps`): `train` is iterated again whenever it ends (an endless sampler never does); the
 *   scheduler steps after every optimizer step; `val` is evaluated every `evalInterval` steps (at most
 *   `evalBatches` batches) and after the last step; `checkpoint` writes everything needed to `resume`.
 *
 * With `accumulationSteps: N` a step consumes N batches (each loss divided by N, one `optimizer.step()` after
 * the N backwards); with `mixedPrecision` the forward and loss run under `autocast` and a `GradScaler`
 * scales the loss, unscales the gradients before `clipGradients`, skips overflowing steps and adapts.
 *
 * Both kinds call `onStepEnd(step, logs)` after every step, with `step`, `loss`, `lr`, `tokens_per_sec`,
 * `grad_norm` (with `clipGradients`) and, after an evaluation, `val_loss`. A callback returning `true` from
 * `onEpochEnd` / `onStepEnd` (or setting `ctx.stopTraining`) ends training after that epoch (epoch runs) or
 * step (step runs); an aborted `signal` ends it after the current step. Either way `fit` returns normally,
 * with `history.stopped` saying why.
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
 *
 * const run = await fit(gpt, {
 *   train: new RandomWindowSampler(trainTokens, { blockSize: 256, batchSize: 64, seed: 1 }),
 *   val: new RandomWindowSampler(valTokens, { blockSize: 256, batchSize: 64, seed: 2 }),
 *   computeLoss: (model, x, y) => model.forward(x, { targets: y }).loss!,
 *   optimizer, scheduler: new WarmupCosineLR(optimizer, { warmupSteps: 100, totalSteps: 5000, minLr: 1e-4 }),
 *   steps: 5000, evalInterval: 250, evalBatches: 200,
 *   clipGradients: (params) => clipGradNorm(params, 1.0),
 *   checkpoint: { dir: 'runs/shakespeare', every: 250 }, resume: existsSync('runs/shakespeare/checkpoint.json'),
 *   signal: controller.signal, callbacks: [new ProgressBar()],
 * });
 */
export async function fit<M extends TrainableModel>(model: M, options: FitOptions<M>): Promise<History> {
  const plan = planFit(options);
  const metricSpecs = options.metrics ?? [];
  const trainMetrics = metricSpecs.map(createMetric);
  const valMetrics = metricSpecs.map((spec) => (typeof spec === 'string' ? createMetric(spec) : spec));
  const names = trainMetrics.map((metric) => metric.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new ValueError(`fit: two metrics are named '${duplicate}'`);

  const scaler = plan.mixedPrecision ? (plan.mixedPrecision.scaler ?? (await defaultGradScaler())) : null;
  const history = new History();
  const ctx: TrainingContext = {
    model,
    optimizer: options.optimizer,
    stopTraining: false,
    mode: plan.mode,
    epochs: plan.epochs,
    steps: plan.mode === 'steps' ? plan.steps : undefined,
    step: 0,
    startStep: 0,
    batchesPerEpoch: typeof options.train.length === 'number' ? options.train.length : undefined,
    metricNames: names,
    hasValidation: options.val != null,
  };
  if (plan.resumeDir !== undefined) {
    const { train, val, optimizer, scheduler } = options;
    const restored = await restoreFitCheckpoint(plan.resumeDir, { model, optimizer, scheduler, scaler: scaler ?? undefined, train, val });
    if (restored.step > plan.steps) {
      throw new ValueError(`fit: the checkpoint in ${plan.resumeDir} is at step ${restored.step}, past steps ${plan.steps}; ask for at least ${restored.step} steps`);
    }
    history.restore(restored.history);
    history.resumedFrom = restored.step;
    ctx.step = ctx.startStep = restored.step;
  }
  const run = new FitRun(model, options, plan, ctx, history, trainMetrics, valMetrics, scaler);
  return run.run();
}

/** optim's `GradScaler` with PyTorch's defaults (@tessera/optim is an optional peer dependency, loaded only here). */
async function defaultGradScaler(): Promise<GradScalerLike> {
  let optim: { GradScaler?: new () => GradScalerLike };
  try {
    optim = (await import('@tessera/optim')) as unknown as typeof optim;
  } catch (error) {
    throw new ValueError(
      `fit: mixedPrecision: true needs @tessera/optim for its GradScaler (npm install @tessera/optim), or pass mixedPrecision: { scaler }: ${(error as Error).message}`,
    );
  }
  if (typeof optim.GradScaler !== 'function') throw new ValueError('fit: mixedPrecision: @tessera/optim does not export GradScaler; update it, or pass mixedPrecision: { scaler }');
  return new optim.GradScaler();
}

/** The optimizer step being assembled from micro-batches (one batch without accumulation). */
interface PendingStep {
  /** Micro-batches done. */
  batches: number;
  lossSum: number;
  tokens: number;
  /** When the first micro-batch was requested. */
  started: number;
  lr: number | undefined;
}

/** A pass's running sums (one epoch in an epoch run). */
interface PassTotals {
  lossSum: number;
  samples: number;
  batches: number;
}

type BatchIterator = Iterator<readonly Tensor[]> | AsyncIterator<readonly Tensor[]>;

/** One call of `fit`: the loop and the state it carries between steps. */
class FitRun<M extends TrainableModel> {
  private readonly optimizer: OptimizerLike;
  private readonly callbacks: Callback[];
  private readonly verbose: boolean;
  private readonly print: (line: string) => void;
  private readonly wantsMetric: boolean;
  private readonly monitor: string;
  private readonly throughput = new Throughput();
  private iterator: BatchIterator | null = null;
  private pass: PassTotals = { lossSum: 0, samples: 0, batches: 0 };
  private epoch = 0;
  private epochStarted = 0;
  private epochLr: number | undefined;
  private lastStepLogs: Logs | undefined;
  private lastCheckpointStep: number;
  private pending: PendingStep | null = null;

  constructor(
    private readonly model: M,
    private readonly options: FitOptions<M>,
    private readonly plan: FitPlan,
    private readonly ctx: TrainingContext,
    private readonly history: History,
    private readonly trainMetrics: Metric[],
    private readonly valMetrics: Metric[],
    /** The loss scaler of a mixed-precision run. */
    private readonly scaler: GradScalerLike | null = null,
  ) {
    this.optimizer = options.optimizer;
    this.callbacks = options.callbacks ?? [];
    this.verbose = Number(options.verbose ?? 0) > 0;
    this.print = options.print ?? ((line: string) => console.log(line));
    this.wantsMetric = options.scheduler ? schedulerWantsMetric(options.scheduler) : false;
    this.monitor = options.schedulerMonitor ?? (options.val ? 'val_loss' : 'loss');
    this.lastCheckpointStep = ctx.startStep;
  }

  async run(): Promise<History> {
    const { model, ctx, history, plan } = this;
    const initiallyTraining = model.training;
    let aborted = false;
    for (const callback of this.callbacks) await callback.onTrainBegin?.(ctx);
    try {
      for (;;) {
        // Stops fall between optimizer steps, never inside a group of micro-batches.
        if (this.pending === null) {
          if (plan.mode === 'steps' && (ctx.step >= plan.steps || ctx.stopTraining)) break;
          if (this.options.signal?.aborted) {
            aborted = true;
            break;
          }
        }
        if (this.iterator === null) {
          if (plan.mode === 'epochs') {
            if (this.epoch >= plan.epochs || ctx.stopTraining) break;
            await this.beginEpoch();
          }
          this.beginPass();
        }
        const started = performance.now();
        const next = await this.iterator!.next();
        if (next.done === true) {
          this.iterator = null;
          await this.endPass();
          continue;
        }
        await this.trainBatch(next.value, started);
      }
      await this.closePass();
      this.recordLastStep();
      if (plan.checkpoint && ctx.step > this.lastCheckpointStep) await this.writeCheckpoint();
      const finished = plan.mode === 'steps' ? ctx.step >= plan.steps : this.epoch >= plan.epochs;
      history.stopped = finished ? null : aborted ? 'aborted' : ctx.stopTraining ? 'callback' : null;
      history.stoppedEarly = history.stopped !== null;
      for (const callback of this.callbacks) await callback.onTrainEnd?.(history.last ?? {}, ctx);
    } finally {
      await this.closePass();
      model.train(initiallyTraining ?? true);
    }
    return history;
  }

  private async beginEpoch(): Promise<void> {
    this.epochStarted = performance.now();
    this.epochLr = currentLr(this.optimizer);
    for (const callback of this.callbacks) await callback.onEpochBegin?.(this.epoch, this.ctx);
  }

  private beginPass(): void {
    this.model.train();
    this.pass = { lossSum: 0, samples: 0, batches: 0 };
    for (const metric of this.trainMetrics) metric.reset();
    const train = this.options.train as BatchSource & Partial<Iterable<readonly Tensor[]> & AsyncIterable<readonly Tensor[]>>;
    this.iterator = typeof train[Symbol.asyncIterator] === 'function' ? train[Symbol.asyncIterator]!() : train[Symbol.iterator]!();
  }

  /** Let go of a pass left unfinished (stopped, aborted or failed), so a generator can clean up. */
  private async closePass(): Promise<void> {
    const iterator = this.iterator;
    this.iterator = null;
    if (iterator?.return) await iterator.return();
  }

  private async endPass(): Promise<void> {
    if (this.pass.batches === 0) throw new ValueError('fit: the training data yielded no batches');
    if (this.plan.mode !== 'epochs') return; // a step run's group goes on into the next pass
    if (this.pending) await this.finishStep(); // the epoch's last, shorter group
    await this.endEpoch();
  }

  private async endEpoch(): Promise<void> {
    const { ctx, options } = this;
    const logs: Logs = { loss: this.pass.lossSum / this.pass.samples };
    for (const metric of this.trainMetrics) logs[metric.name] = await metric.compute();
    if (options.val) Object.assign(logs, await this.evaluate());
    if (this.epochLr !== undefined) logs.lr = this.epochLr;
    if (options.scheduler && this.plan.schedulerInterval === 'epoch') this.stepScheduler(logs, true);
    this.history.epochs.push(logs);
    for (const callback of this.callbacks) {
      if ((await callback.onEpochEnd?.(this.epoch, logs, ctx)) === true) ctx.stopTraining = true;
    }
    const seconds = (performance.now() - this.epochStarted) / 1000;
    this.history.seconds.push(seconds);
    if (this.verbose) this.print(`epoch ${this.epoch + 1}/${this.plan.epochs} - ${formatLogs(logs)} - ${seconds.toFixed(2)}s`);
    this.epoch++;
  }

  /** Forward and backward of one batch (a micro-batch of the pending step); the step when its group is complete. */
  private async trainBatch(batch: readonly Tensor[], started: number): Promise<void> {
    const { options, optimizer, plan } = this;
    const [input, target] = checkBatch(batch, 'training');
    const disposeBatches = options.disposeBatches ?? !Array.isArray(options.train);
    const accumulation = plan.accumulationSteps;
    // Every tensor made for this batch (outputs, loss, graph) lives in this scope and dies with it.
    // The optimizer steps outside it: its state must outlive the batch.
    const scope = new Scope();
    try {
      if (this.pending === null) {
        optimizer.zeroGrad();
        this.pending = { batches: 0, lossSum: 0, tokens: 0, started, lr: currentLr(optimizer) };
      }
      const { prediction, loss } = scope.run(() => {
        const result = this.scaler ? autocast(() => this.forward(input, target)) : this.forward(input, target);
        let objective = accumulation > 1 ? result.loss.div(accumulation) : result.loss;
        if (this.scaler) objective = this.scaler.scale(objective);
        objective.backward();
        return { prediction: result.prediction?.detach(), loss: result.loss.detach() };
      });
      const lossValue = await loss.item();
      const size = input.ndim === 0 ? 1 : input.shape[0];
      this.pass.lossSum += lossValue * size;
      this.pass.samples += size;
      this.pass.batches++;
      this.pending.batches++;
      this.pending.lossSum += lossValue;
      this.pending.tokens += options.tokensPerBatch ? options.tokensPerBatch(input) : input.size;
      const trackMetrics = plan.mode === 'epochs';
      if (trackMetrics) for (const metric of this.trainMetrics) await metric.update(prediction!, target);
      const batchCallbacks = this.callbacks.filter((callback) => callback.onBatchEnd);
      if (batchCallbacks.length) {
        // Keras-style batch logs: the running means of the pass so far, plus this batch's own loss.
        const logs: Logs = { loss: this.pass.lossSum / this.pass.samples, batchLoss: lossValue, size };
        if (trackMetrics) for (const metric of this.trainMetrics) logs[metric.name] = await metric.compute();
        for (const callback of batchCallbacks) await callback.onBatchEnd!(this.pass.batches - 1, logs, this.ctx);
      }
    } finally {
      scope.dispose();
      if (disposeBatches) disposeBatch(batch);
    }
    if (this.pending.batches === accumulation) await this.finishStep();
  }

  /** The optimizer step of the pending group (clipping and loss scaling included), then everything that follows a step. */
  private async finishStep(): Promise<void> {
    const { model, options, optimizer, ctx, plan, scaler } = this;
    const pending = this.pending!;
    this.pending = null;
    let gradNorm: number | undefined;
    const lossScale = scaler?.getScale();
    const scope = new Scope();
    try {
      if (pending.batches < plan.accumulationSteps) {
        // A short last group: its losses were divided by N, not by the k batches it has.
        const factor = plan.accumulationSteps / pending.batches;
        noGrad(() => {
          for (const param of model.parameters()) param.grad?.assign(scope.run(() => param.grad!.mul(factor)));
        });
      }
      if (options.clipGradients) {
        if (scaler) await scaler.unscale_(optimizer as ScalableOptimizerLike); // clip the true gradients
        const norm = scope.run(() => options.clipGradients!(model.parameters()));
        if (typeof norm === 'number') gradNorm = norm;
        else if (isTensor(norm)) gradNorm = await norm.item();
      }
      if (scaler) {
        await scaler.step(optimizer as ScalableOptimizerLike);
        scaler.update();
      } else {
        await optimizer.step();
      }
    } finally {
      scope.dispose();
    }
    ctx.step++;
    this.throughput.add(pending.tokens, (performance.now() - pending.started) / 1000);
    await this.endStep({
      step: ctx.step,
      loss: pending.lossSum / pending.batches,
      ...(pending.lr !== undefined && { lr: pending.lr }),
      tokens_per_sec: this.throughput.rate,
      ...(gradNorm !== undefined && { grad_norm: gradNorm }),
      ...(lossScale !== undefined && { loss_scale: lossScale }),
    });
  }

  /** After a step: evaluation when due, the scheduler, the history, `onStepEnd`, a checkpoint when due. */
  private async endStep(logs: Logs): Promise<void> {
    const { ctx, plan, options } = this;
    const step = ctx.step;
    const lastStep = plan.mode === 'steps' && step === plan.steps;
    const onGrid = plan.evalInterval !== undefined && step % plan.evalInterval === 0;
    const evaluated = options.val !== undefined && (onGrid || lastStep);
    if (evaluated) Object.assign(logs, await this.evaluate(!onGrid));
    if (options.scheduler && plan.schedulerInterval === 'step') this.stepScheduler(logs, false);
    this.lastStepLogs = logs;
    if (step % plan.logInterval === 0 || evaluated || lastStep) {
      this.history.steps.push(logs);
      if (this.verbose && plan.mode === 'steps') {
        const { step: _step, ...rest } = logs;
        this.print(`step ${step}/${plan.steps} - ${formatLogs(rest)}`);
      }
    }
    for (const callback of this.callbacks) {
      if ((await callback.onStepEnd?.(step, logs, ctx)) === true) ctx.stopTraining = true;
    }
    if (plan.checkpoint?.every !== undefined && step % plan.checkpoint.every === 0) await this.writeCheckpoint();
  }

  /**
   * Up to `evalBatches` validation batches in eval mode without gradients: `val_loss` (mean over samples) and
   * `val_<metric>`. An evaluation off the `evalInterval` grid (the one ending a step run) puts a stateful val
   * source back where it was, so a run extended by resuming sees the validation batches a straight run sees.
   */
  private async evaluate(offGrid = false): Promise<Logs> {
    const { model, options } = this;
    const val = options.val!;
    const rewind = offGrid && typeof val.stateDict === 'function' && typeof val.loadStateDict === 'function' ? val.stateDict() : undefined;
    const disposeBatches = options.disposeBatches ?? !Array.isArray(val);
    for (const metric of this.valMetrics) metric.reset();
    let lossSum = 0;
    let samples = 0;
    let batches = 0;
    model.eval();
    try {
      for await (const batch of val as AsyncIterable<readonly Tensor[]>) {
        const [input, target] = checkBatch(batch, 'validation');
        const scope = new Scope();
        try {
          const { prediction, loss } = scope.run(() => noGrad(() => (this.scaler ? autocast(() => this.forward(input, target)) : this.forward(input, target))));
          const size = input.ndim === 0 ? 1 : input.shape[0];
          lossSum += (await loss.item()) * size;
          samples += size;
          for (const metric of this.valMetrics) await metric.update(prediction!, target);
        } finally {
          scope.dispose();
          if (disposeBatches) disposeBatch(batch);
        }
        if (++batches >= this.plan.evalBatches) break;
      }
    } finally {
      model.train();
      if (rewind !== undefined) val.loadStateDict!(rewind);
    }
    const logs: Logs = { val_loss: samples ? lossSum / samples : Number.NaN };
    for (const metric of this.valMetrics) logs[`val_${metric.name}`] = await metric.compute();
    return logs;
  }

  /** The loss of one batch (and the prediction, with `loss`), checked to be a single value. */
  private forward(input: Tensor, target: Tensor): { loss: Tensor; prediction?: Tensor } {
    const { options, model } = this;
    if (options.computeLoss) return { loss: checkLoss(options.computeLoss(model, input, target), 'computeLoss') };
    const prediction = model.forward(input) as Tensor;
    return { prediction, loss: checkLoss(options.loss!(prediction, target), 'the loss function') };
  }

  /** Step the schedule; one that watches a metric steps only when its monitored key is in these logs. */
  private stepScheduler(logs: Logs, strict: boolean): void {
    const scheduler = this.options.scheduler!;
    if (!this.wantsMetric) return scheduler.step();
    const value = logs[this.monitor];
    if (value !== undefined) return scheduler.step(value);
    if (strict) throw new ValueError(`fit: the scheduler monitors '${this.monitor}', which is not in the logs (${Object.keys(logs).join(', ')})`);
  }

  /** The history always ends with the latest step's logs (a stop or a checkpoint may fall between logged steps). */
  private recordLastStep(): void {
    if (this.lastStepLogs && this.history.steps.at(-1) !== this.lastStepLogs) this.history.steps.push(this.lastStepLogs);
  }

  private async writeCheckpoint(): Promise<void> {
    const { options, plan, ctx } = this;
    this.recordLastStep();
    const parts = { model: this.model, optimizer: options.optimizer, scheduler: options.scheduler, scaler: this.scaler ?? undefined, train: options.train, val: options.val };
    await writeFitCheckpoint(plan.checkpoint!.dir, parts, ctx.step, this.history.toJSON(), plan.checkpoint!.keep);
    this.lastCheckpointStep = ctx.step;
  }
}

/** Tokens per second over recent steps: moving averages of tokens and of seconds (10-step time constant). */
class Throughput {
  private tokens = 0;
  private seconds = 0;
  private started = false;

  add(tokens: number, seconds: number): void {
    const keep = this.started ? 0.9 : 0;
    this.tokens = keep * this.tokens + (1 - keep) * tokens;
    this.seconds = keep * this.seconds + (1 - keep) * seconds;
    this.started = true;
  }

  get rate(): number {
    return this.seconds > 0 ? this.tokens / this.seconds : 0;
  }
}

function checkBatch(batch: unknown, what: 'training' | 'validation'): [Tensor, Tensor] {
  if (!Array.isArray(batch) || batch.length < 2) {
    throw new ValueError(`fit: each ${what} batch must be an [input, target] pair of tensors, got ${Array.isArray(batch) ? `${batch.length} element(s)` : typeof batch}`);
  }
  return [batch[0] as Tensor, batch[1] as Tensor];
}

function disposeBatch(batch: readonly Tensor[]): void {
  for (const part of batch) if (isTensor(part) && !part.isDisposed) part.dispose();
}

function currentLr(optimizer: OptimizerLike): number | undefined {
  return optimizer.paramGroups?.[0]?.lr;
}

function checkLoss(loss: unknown, source: string): Tensor {
  const value = loss as Tensor;
  if (!value || typeof value !== 'object' || typeof value.backward !== 'function') {
    throw new ValueError(`fit: ${source} must return a tensor, got ${loss === null ? 'null' : typeof loss}`);
  }
  if (value.size !== 1) {
    throw new ValueError(`fit: ${source} must return a single value (0-d tensor), got shape [${value.shape.join(', ')}]; use reduction 'mean' or 'sum'`);
  }
  return value;
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([key, value]) => `${key} ${Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(3)}`)
    .join(' - ');
}
