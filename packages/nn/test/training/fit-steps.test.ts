/**
 * `fit` step runs: a number of optimizer steps over cycled or endless data, `computeLoss`, per-step
 * schedules, gradient clipping, evaluation every N steps, throughput, `onStepEnd`, stopping and aborting.
 */
import '@tessera/backend-cpu';
import { manualSeed, memory, noGrad, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { fit, type Callback, type Logs } from '../../src/training/index';
import { TinyLinear, TinySGD, batches } from './helpers';

const mse = (prediction: Tensor, target: Tensor) => prediction.sub(target).pow(2).mean();

/** y = 2x₁ − 3x₂ + 1 on a fresh random batch. */
function regressionBatch(batchSize = 8): [Tensor, Tensor] {
  return tidy(() => {
    const x = randn([batchSize, 2]);
    const y = x.matmul(tensor([[2], [-3]])).add(1);
    return [x, y] as [Tensor, Tensor];
  });
}

/** An endless batch source that counts what it hands out, like an endless random sampler. */
function endless(batchSize = 8) {
  const source = {
    drawn: 0,
    *[Symbol.iterator]() {
      for (;;) {
        source.drawn++;
        yield regressionBatch(batchSize);
      }
    },
  };
  return source;
}

/** Records every onStepEnd call. */
function stepRecorder() {
  const seen: { step: number; logs: Logs }[] = [];
  const callback: Callback = { onStepEnd: (step, logs) => void seen.push({ step, logs: { ...logs } }) };
  return { seen, callback };
}

describe('fit with steps', () => {
  beforeEach(() => manualSeed(0));

  it('takes exactly `steps` optimizer steps, cycling a finite source as often as needed', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const passes: number[] = [];
    const train = batches(() => {
      passes.push(passes.length);
      return [regressionBatch(), regressionBatch(), regressionBatch()];
    });
    const { seen, callback } = stepRecorder();
    const history = await fit(model, { train, loss: mse, optimizer, steps: 7, callbacks: [callback] });
    expect(optimizer.steps).toBe(7);
    expect(passes).toHaveLength(1 + 3); // the helper probes its length once; then passes of 3, 3 and 1 batches
    expect(seen.map((entry) => entry.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(history.epochs).toEqual([]);
    expect(history.steps.map((logs) => logs.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(history.last).toBe(history.steps[6]);
    expect(history.stopped).toBeNull();
    expect(history.stoppedEarly).toBe(false);
  });

  it('trains from an endless source, drawing exactly one batch per step, and lowers the loss', async () => {
    const model = new TinyLinear(2, 1);
    const train = endless();
    const history = await fit(model, { train, loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 60 });
    expect(train.drawn).toBe(60);
    const losses = history.steps.map((logs) => logs.loss);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses[0] / 20);
  });

  it('computeLoss takes the loss from the model, in training and in evaluation', async () => {
    const model = new TinyLinear(2, 1);
    const calls: string[] = [];
    const computeLoss = (m: TinyLinear, x: Tensor, y: Tensor) => {
      calls.push(m.training ? 'train' : 'eval');
      return mse(m.forward(x), y);
    };
    const val = [regressionBatch(16)];
    const history = await fit(model, { train: endless(), val, computeLoss, optimizer: new TinySGD(model.parameters(), 0.1), steps: 3 });
    expect(calls).toEqual(['train', 'train', 'train', 'eval']);
    model.eval();
    const manual = await noGrad(() => tidy(() => mse(model.forward(val[0][0]), val[0][1]))).item();
    expect(history.last!.val_loss).toBeCloseTo(manual, 6);
  });

  it('step logs carry the step, its own loss, the rate it used, tokens per second and the pre-clip gradient norm', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.05);
    const norms: number[] = [];
    const clipGradients = (params: Tensor[]) =>
      tidy(() => {
        // Global L2 norm of the gradients, then scale them to norm ≤ 0.5 (what optim's clipGradNorm does).
        const total = params.map((p) => p.grad!.square().sum()).reduce((a, b) => a.add(b)).sqrt();
        norms.push(total.itemSync());
        const scale = total.add(1e-6).reciprocal().mul(0.5).clamp(null, 1);
        noGrad(() => params.forEach((p) => p.grad!.assign(p.grad!.mul(scale))));
        return total;
      });
    const { seen, callback } = stepRecorder();
    const batchLosses: number[] = [];
    await fit(model, {
      train: endless(4),
      loss: mse,
      optimizer,
      steps: 3,
      clipGradients,
      tokensPerBatch: (x) => x.shape[0] * 10,
      callbacks: [callback, { onBatchEnd: (_batch, logs) => void batchLosses.push(logs.batchLoss) }],
    });
    expect(seen.map((entry) => Object.keys(entry.logs).sort())).toEqual(Array(3).fill(['grad_norm', 'loss', 'lr', 'step', 'tokens_per_sec']));
    expect(seen.map((entry) => entry.logs.grad_norm)).toEqual(norms);
    expect(seen.map((entry) => entry.logs.loss)).toEqual(batchLosses);
    expect(seen.every((entry) => entry.logs.lr === 0.05 && entry.logs.tokens_per_sec > 0)).toBe(true);
  });

  it('a clipGradients hook that returns nothing logs no grad_norm; a number is logged as is', async () => {
    const model = new TinyLinear(2, 1);
    const silent = stepRecorder();
    await fit(model, { train: endless(), loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 1, clipGradients: () => undefined, callbacks: [silent.callback] });
    expect(silent.seen[0].logs.grad_norm).toBeUndefined();
    const numeric = stepRecorder();
    await fit(model, { train: endless(), loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 1, clipGradients: () => 4.5, callbacks: [numeric.callback] });
    expect(numeric.seen[0].logs.grad_norm).toBe(4.5);
  });

  it('tokens_per_sec defaults to input.size per second of the step, the wait for the batch included', async () => {
    const model = new TinyLinear(2, 1);
    const { seen, callback } = stepRecorder();
    const slow = {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          yield regressionBatch(8);
        }
      },
    };
    await fit(model, { train: slow, loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 4, callbacks: [callback] });
    // 16 numbers per batch and at least 25 ms per step: at most 640 per second (and not absurdly fewer).
    for (const { logs } of seen) {
      expect(logs.tokens_per_sec).toBeLessThanOrEqual(640);
      expect(logs.tokens_per_sec).toBeGreaterThan(16);
    }
  });

  it('evaluates every evalInterval steps on at most evalBatches batches of an endless val source, and after the last step', async () => {
    const model = new TinyLinear(2, 1);
    const val = endless(8);
    const modes: boolean[] = [];
    const { seen, callback } = stepRecorder();
    const history = await fit(model, {
      train: endless(),
      val,
      computeLoss: (m, x, y) => {
        modes.push(m.training);
        return mse(m.forward(x), y);
      },
      optimizer: new TinySGD(model.parameters(), 0.1),
      steps: 7,
      evalInterval: 3,
      evalBatches: 2,
      callbacks: [callback],
    });
    expect(seen.filter((entry) => entry.logs.val_loss !== undefined).map((entry) => entry.step)).toEqual([3, 6, 7]);
    expect(val.drawn).toBe(6);
    expect(history.stepSeries('val_loss').map(([step]) => step)).toEqual([3, 6, 7]);
    expect(history.bestStep('val_loss')!.value).toBe(Math.min(...history.stepSeries('val_loss').map(([, value]) => value)));
    // 3 training steps, 2 evaluation batches, …; training resumes in train mode.
    expect(modes).toEqual([true, true, true, false, false, true, true, true, false, false, true, false, false]);
    expect(model.training).toBe(true);
  });

  it('with evalInterval in an epoch run, step logs get val_loss mid-epoch and epochs keep their own validation', async () => {
    const model = new TinyLinear(2, 1);
    const { seen, callback } = stepRecorder();
    const train = batches(() => [regressionBatch(), regressionBatch(), regressionBatch(), regressionBatch()]);
    const history = await fit(model, { train, val: [regressionBatch()], loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), epochs: 2, evalInterval: 2, callbacks: [callback] });
    expect(seen.map((entry) => entry.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.filter((entry) => 'val_loss' in entry.logs).map((entry) => entry.step)).toEqual([2, 4, 6, 8]);
    expect(history.epochs.map((logs) => 'val_loss' in logs)).toEqual([true, true]);
  });

  it('steps the scheduler after every optimizer step; each step logs the rate it used', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 1);
    const halving = { step: () => void (optimizer.paramGroups[0].lr /= 2) };
    const history = await fit(model, { train: endless(), loss: () => tensor(0, { requiresGrad: true }), optimizer, steps: 4, scheduler: halving });
    expect(history.steps.map((logs) => logs.lr)).toEqual([1, 0.5, 0.25, 0.125]);
    expect(optimizer.paramGroups[0].lr).toBe(0.0625);

    // An epoch run may step per step too.
    const perStep = new TinySGD(model.parameters(), 1);
    const count = { calls: 0, step: () => void count.calls++ };
    await fit(model, { train: batches(() => [regressionBatch(), regressionBatch()]), loss: mse, optimizer: perStep, epochs: 3, scheduler: count, schedulerInterval: 'step' });
    expect(count.calls).toBe(6);
  });

  it('steps a metric-watching schedule whenever its monitored value is logged (val_loss: at evaluations)', async () => {
    const model = new TinyLinear(2, 1);
    class ReduceLROnPlateau {
      readonly seen: number[] = [];
      patience = 1;
      step(metric?: number) {
        this.seen.push(metric!);
      }
    }
    const plateau = new ReduceLROnPlateau();
    const history = await fit(model, { train: endless(), val: [regressionBatch()], loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 6, evalInterval: 2, scheduler: plateau });
    expect(plateau.seen).toEqual(history.stepSeries('val_loss').map(([, value]) => value));
    expect(plateau.seen).toHaveLength(3);
    const onLoss = new ReduceLROnPlateau();
    await fit(model, { train: endless(), loss: mse, optimizer: new TinySGD(model.parameters(), 0.1), steps: 3, scheduler: onLoss });
    expect(onLoss.seen).toHaveLength(3);
  });

  it('stops after the step whose onStepEnd returns true (or sets ctx.stopTraining)', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const ended: Logs[] = [];
    const history = await fit(model, {
      train: endless(),
      loss: mse,
      optimizer,
      steps: 100,
      logInterval: 10,
      callbacks: [{ onStepEnd: (step) => step === 4 }, { onTrainEnd: (logs) => void ended.push(logs) }],
    });
    expect(optimizer.steps).toBe(4);
    expect(history.stopped).toBe('callback');
    expect(history.stoppedEarly).toBe(true);
    // The last step is in the history even between logged steps.
    expect(history.steps.map((logs) => logs.step)).toEqual([4]);
    expect(ended).toEqual([history.steps[0]]);

    const viaContext = await fit(model, { train: endless(), loss: mse, optimizer, steps: 100, callbacks: [{ onStepEnd: (step, _logs, ctx) => void (ctx.stopTraining = step === 2) }] });
    expect(viaContext.steps.at(-1)!.step).toBe(2);
  });

  it('an aborted signal ends training after the current step, and fit returns normally', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const controller = new AbortController();
    const ends: string[] = [];
    const history = await fit(model, {
      train: endless(),
      loss: mse,
      optimizer,
      steps: 50,
      signal: controller.signal,
      callbacks: [{ onStepEnd: (step) => void (step === 3 && controller.abort()) }, { onTrainEnd: () => void ends.push('end') }],
    });
    expect(optimizer.steps).toBe(3);
    expect(history.stopped).toBe('aborted');
    expect(history.stoppedEarly).toBe(true);
    expect(ends).toEqual(['end']);
    expect(model.training).toBe(true);

    // Aborted before it starts: no step at all. In an epoch run: after the current batch.
    expect((await fit(model, { train: endless(), loss: mse, optimizer, steps: 5, signal: AbortSignal.abort() })).stopped).toBe('aborted');
    const epochController = new AbortController();
    const before = optimizer.steps;
    const epochRun = await fit(model, {
      train: batches(() => [regressionBatch(), regressionBatch(), regressionBatch()]),
      loss: mse,
      optimizer,
      epochs: 4,
      signal: epochController.signal,
      callbacks: [{ onStepEnd: (step) => void (step === 5 && epochController.abort()) }],
    });
    expect([optimizer.steps - before, epochRun.epochs.length, epochRun.stopped]).toEqual([5, 1, 'aborted']);
  });

  it('keeps every logInterval-th step, every evaluated step and the last in history; verbose prints them', async () => {
    const model = new TinyLinear(2, 1);
    const lines: string[] = [];
    const history = await fit(model, {
      train: endless(),
      val: [regressionBatch()],
      loss: mse,
      optimizer: new TinySGD(model.parameters(), 0.1),
      steps: 11,
      logInterval: 4,
      evalInterval: 5,
      verbose: true,
      print: (line) => lines.push(line),
    });
    expect(history.steps.map((logs) => logs.step)).toEqual([4, 5, 8, 10, 11]);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^step 4\/11 - loss \d+\.\d{4} - lr 0\.1000 - tokens_per_sec \d+\.\d{4}$/);
    expect(lines[1]).toMatch(/^step 5\/11 - loss .* - val_loss \d+\.\d{4}$/);
  });

  it('keeps memory flat over a long step run with evaluations', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.01);
    const val = endless();
    const options = { train: endless(), val, loss: mse, optimizer, evalInterval: 5, evalBatches: 2, clipGradients: (params: Tensor[]) => params[0].grad!.abs().max() };
    await fit(model, { ...options, steps: 5 });
    const before = memory().tensors;
    await fit(model, { ...options, steps: 40 });
    expect(memory().tensors).toBe(before);
  });

  it('steps: 0 trains nothing; an empty source is an error rather than an endless loop', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    expect((await fit(model, { train: [], loss: mse, optimizer, steps: 0 })).steps).toEqual([]);
    await expect(fit(model, { train: [], loss: mse, optimizer, steps: 3 })).rejects.toThrow(/the training data yielded no batches/);
  });

  it('rejects contradictory or missing options with errors that name them', async () => {
    const model = new TinyLinear(2, 1);
    const optimizer = new TinySGD(model.parameters(), 0.1);
    const train = [regressionBatch()];
    const base = { train, loss: mse, optimizer };
    await expect(fit(model, { train, loss: mse, optimizer })).rejects.toThrow(/say how long to train: epochs .* or steps/);
    await expect(fit(model, { ...base, epochs: 2, steps: 10 })).rejects.toThrow(/give epochs or steps, not both \(got epochs 2 and steps 10\)/);
    await expect(fit(model, { ...base, steps: 1.5 })).rejects.toThrow(/steps must be a non-negative integer, got 1.5/);
    await expect(fit(model, { ...base, steps: 2, computeLoss: (m, x, y) => mse(m.forward(x), y) })).rejects.toThrow(/give loss or computeLoss, not both/);
    await expect(fit(model, { train, optimizer, steps: 2 })).rejects.toThrow(/options.loss must be a function .* or give computeLoss/);
    await expect(fit(model, { train, optimizer, steps: 2, computeLoss: (m, x, y) => mse(m.forward(x), y), metrics: ['accuracy'] })).rejects.toThrow(
      /metrics need the model's prediction, which computeLoss does not give/,
    );
    await expect(fit(model, { train, optimizer, steps: 2, computeLoss: (m, x) => m.forward(x) })).rejects.toThrow(/computeLoss must return a single value \(0-d tensor\), got shape \[8, 1\]/);
    await expect(fit(model, { ...base, steps: 2, schedulerInterval: 'epoch' })).rejects.toThrow(/schedulerInterval 'epoch' needs an epoch run/);
    await expect(fit(model, { ...base, epochs: 1, schedulerInterval: 'batch' as never })).rejects.toThrow(/schedulerInterval must be 'epoch' or 'step', got "batch"/);
    await expect(fit(model, { ...base, steps: 2, evalInterval: 1 })).rejects.toThrow(/evalInterval needs val data/);
    await expect(fit(model, { ...base, val: train, steps: 2, evalInterval: 0 })).rejects.toThrow(/evalInterval must be a positive integer, got 0/);
    await expect(fit(model, { ...base, steps: 2, evalBatches: -1 })).rejects.toThrow(/evalBatches must be a positive integer, got -1/);
    await expect(fit(model, { ...base, steps: 2, logInterval: 0 })).rejects.toThrow(/logInterval must be a positive integer/);
    await expect(fit(model, { ...base, steps: 2, clipGradNorm: 1 } as never)).rejects.toThrow(/there is no clipGradNorm option; pass clipGradients: \(params\) => clipGradNorm\(params, maxNorm\)/);
    await expect(fit(model, { ...base, steps: 2, clipGradients: 1 as never })).rejects.toThrow(/options.clipGradients must be a function/);
    await expect(fit(model, { ...base, steps: 2, signal: {} as never })).rejects.toThrow(/options.signal must be an AbortSignal/);
    await expect(fit(model, { ...base, val: 3 as never, steps: 2 })).rejects.toThrow(/options.val must be an iterable/);
  });
});
