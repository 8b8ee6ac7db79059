/**
 * `fit` checkpoints and resume, with the real parts a GPT run uses: a tiny language model with dropout
 * that computes its own loss, AdamW, WarmupCosineLR, clipGradNorm and RandomWindowSampler batches.
 * A run interrupted at step k and resumed must end exactly where an uninterrupted run ends.
 */
import '@tessera/backend-cpu';
import { manualSeed, randint, type Tensor } from '@tessera/core';
import { DataLoader, RandomWindowSampler, TensorDataset } from '@tessera/data';
import { AdamW, SGD, WarmupCosineLR, clipGradNorm } from '@tessera/optim';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dropout, Embedding, F, Linear, Module, fit, readFitCheckpoint, type FitOptions, type History, type Logs } from '../../src/index';

const VOCAB = 11;

/** Embedding → dropout → linear head; `forward(ids, { targets })` returns `{ logits, loss }` as a GPT does. */
class TinyLM extends Module {
  readonly embedding = new Embedding(VOCAB, 8);
  readonly dropout = new Dropout(0.3);
  readonly head = new Linear(8, VOCAB);

  forward(ids: Tensor, options: { targets?: Tensor } = {}): { logits: Tensor; loss?: Tensor } {
    const logits = this.head.forward(this.dropout.forward(this.embedding.forward(ids)));
    const loss = options.targets ? F.crossEntropy(logits.reshape([-1, VOCAB]), options.targets.reshape([-1])) : undefined;
    return { logits, loss };
  }
}

/** A token stream with structure to learn: mostly "next id = id + 1 (mod 11)", with some noise. */
const tokens = Int32Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? (i * 5) % VOCAB : i % VOCAB));
const trainTokens = tokens.subarray(0, 320);
const valTokens = tokens.subarray(320);

/** A fresh process's view: same seed, new model, optimizer, schedule and samplers. */
function setup() {
  manualSeed(42);
  const model = new TinyLM();
  const optimizer = new AdamW(model.parameters(), { lr: 3e-2, betas: [0.9, 0.95], weightDecay: 0.1 });
  const options = {
    train: new RandomWindowSampler(trainTokens, { blockSize: 6, batchSize: 4, seed: 1 }),
    val: new RandomWindowSampler(valTokens, { blockSize: 6, batchSize: 4, seed: 2 }),
    computeLoss: (lm: TinyLM, x: Tensor, y: Tensor) => lm.forward(x, { targets: y }).loss!,
    optimizer,
    scheduler: new WarmupCosineLR(optimizer, { warmupSteps: 2, totalSteps: 6, minLr: 3e-3 }),
    clipGradients: (params: Tensor[]) => clipGradNorm(params, 0.5),
    evalInterval: 2,
    evalBatches: 2,
  } satisfies Partial<FitOptions<TinyLM>>;
  return { model, options };
}

/** Step logs without the wall-clock throughput, which no two runs share. */
function withoutTiming(history: History): Logs[] {
  return history.steps.map(({ tokens_per_sec: _rate, ...rest }) => rest);
}

async function weights(model: Module): Promise<Record<string, number[]>> {
  const result: Record<string, number[]> = {};
  for (const [name, value] of Object.entries(model.stateDict())) result[name] = Array.from(await value.data());
  return result;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-fit-resume-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fit checkpoints and resume', () => {
  it('2 steps, then resume to 6, ends bit for bit where 6 straight steps end (dropout, AdamW, schedule, clipping, samplers)', async () => {
    const straight = setup();
    const reference = await fit(straight.model, { ...straight.options, steps: 6 });

    const first = setup();
    const partial = await fit(first.model, { ...first.options, steps: 2, checkpoint: { dir } });
    expect(partial.steps.at(-1)!.step).toBe(2);

    const second = setup(); // a new process: fresh weights and state, the global generator reseeded
    const resumed = await fit(second.model, { ...second.options, steps: 6, checkpoint: { dir }, resume: true });
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.steps.at(-1)!.loss).toBe(reference.steps.at(-1)!.loss);
    expect(withoutTiming(resumed)).toEqual(withoutTiming(reference));
    expect(await weights(second.model)).toEqual(await weights(straight.model));
    expect(second.options.optimizer.paramGroups[0].lr).toBe(straight.options.optimizer.paramGroups[0].lr);
    // WarmupCosineLR's rates, warm-up (it + 1)/(w + 1) then the cosine: step 6 uses it = 5, 3/4 of the way down.
    expect(reference.steps.map((logs) => logs.lr)).toEqual([0.01, 0.02, 0.03, expect.any(Number), 0.0165, expect.closeTo(3e-3 + (0.027 * (1 + Math.cos((3 * Math.PI) / 4))) / 2, 15)]);
  });

  it('a run aborted mid-way writes a checkpoint; resuming it also ends exactly as the straight run', async () => {
    const straight = setup();
    const reference = await fit(straight.model, { ...straight.options, steps: 6 });

    const first = setup();
    const controller = new AbortController();
    const aborted = await fit(first.model, {
      ...first.options,
      steps: 6,
      checkpoint: { dir },
      signal: controller.signal,
      callbacks: [{ onStepEnd: (step) => void (step === 3 && controller.abort()) }],
    });
    expect(aborted.stopped).toBe('aborted');
    expect((await readFitCheckpoint(dir)).step).toBe(3);

    const second = setup();
    const resumed = await fit(second.model, { ...second.options, steps: 6, resume: dir });
    expect(resumed.stopped).toBeNull();
    expect(withoutTiming(resumed)).toEqual(withoutTiming(reference));
    expect(await weights(second.model)).toEqual(await weights(straight.model));
  });

  it('writes every `every` steps into step folders behind an atomic manifest, keeping the newest `keep`', async () => {
    const run = setup();
    await mkdir(join(dir, 'step-00000099')); // left by a crashed run: not in the manifest, removed
    const written: number[] = [];
    await fit(run.model, {
      ...run.options,
      steps: 5,
      checkpoint: { dir, every: 2, keep: 2 },
      callbacks: [{ onStepEnd: async () => void written.push((await readFitCheckpoint(dir).catch(() => ({ step: 0 }))).step) }],
    });
    // A checkpoint exists after the step it is written on (callbacks run before it, so they see the previous one).
    expect(written).toEqual([0, 0, 2, 2, 4]);
    const manifest = await readFitCheckpoint(dir);
    expect(manifest).toMatchObject({ format: 'tessera-fit-checkpoint', version: 1, step: 5, folder: 'step-00000005' });
    expect(manifest.files.model.path).toBe('step-00000005/model.safetensors');
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'step-00000004', 'step-00000005']);
    expect((await readdir(join(dir, 'step-00000005'))).sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'trainer.json']);
    const trainer = JSON.parse(await readFile(join(dir, manifest.files.trainer.path), 'utf8'));
    expect(trainer).toMatchObject({ step: 5, train: { seed: 1, batchesDrawn: 5 }, scheduler: { lastEpoch: 5 }, rng: { seed: 42 } });
    expect(trainer.history.steps.map((logs: Logs) => logs.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a checkpoint that fails half-way leaves the previous one to resume from', async () => {
    const straight = setup();
    const reference = await fit(straight.model, { ...straight.options, steps: 6 });

    const first = setup();
    // After the checkpoint of step 2, a file where step 4's folder must go makes the next write fail half-way.
    const blocker = { onStepEnd: async (step: number) => void (step === 3 && (await writeFile(join(dir, 'step-00000004'), 'in the way'))) };
    await expect(fit(first.model, { ...first.options, steps: 6, checkpoint: { dir, every: 2 }, callbacks: [blocker] })).rejects.toThrow(/step-00000004/);
    expect((await readFitCheckpoint(dir)).step).toBe(2);
    await rm(join(dir, 'step-00000004'));

    const second = setup();
    const resumed = await fit(second.model, { ...second.options, steps: 6, checkpoint: { dir, every: 2 }, resume: true });
    expect(resumed.resumedFrom).toBe(2);
    expect(withoutTiming(resumed)).toEqual(withoutTiming(reference));
  });

  it('extending a finished run: the end-of-run evaluation does not move the val sampler', async () => {
    const straight = setup();
    const reference = await fit(straight.model, { ...straight.options, evalInterval: 4, steps: 6 });
    const first = setup();
    const short = await fit(first.model, { ...first.options, evalInterval: 4, steps: 3, checkpoint: { dir } });
    expect(short.stepSeries('val_loss').map(([step]) => step)).toEqual([3]); // evaluated at its end …
    const second = setup();
    const resumed = await fit(second.model, { ...second.options, evalInterval: 4, steps: 6, resume: dir });
    // … yet the longer run sees the same validation batches at steps 4 and 6 as the straight run.
    expect(resumed.stepSeries('val_loss').slice(1)).toEqual(reference.stepSeries('val_loss'));
    expect(resumed.steps.at(-1)!.loss).toBe(reference.steps.at(-1)!.loss);
  });

  it('a shuffled DataLoader cycled by a step run resumes mid-epoch, so the run ends as the straight one', async () => {
    manualSeed(3);
    const windows = new TensorDataset(randint(0, VOCAB, [10, 6], { dtype: 'int32' }), randint(0, VOCAB, [10, 6], { dtype: 'int32' }));
    const withLoader = () => {
      const run = setup();
      return { model: run.model, options: { ...run.options, train: new DataLoader(windows, { batchSize: 3, shuffle: true, seed: 7 }) } };
    };
    const straight = withLoader();
    const reference = await fit(straight.model, { ...straight.options, steps: 7 }); // 4 batches an epoch: 1¾ epochs
    const first = withLoader();
    await fit(first.model, { ...first.options, steps: 5, checkpoint: { dir } });
    const trainer = JSON.parse(await readFile(join(dir, (await readFitCheckpoint(dir)).files.trainer.path), 'utf8'));
    expect(trainer.train).toEqual({ epoch: 1, batch: 1, seed: 7 });
    const second = withLoader();
    const resumed = await fit(second.model, { ...second.options, steps: 7, resume: dir });
    // The same batches in the same order: the same losses and weights (the 5-step run's history adds its closing evaluation).
    expect(resumed.steps.map((logs) => logs.loss)).toEqual(reference.steps.map((logs) => logs.loss));
    expect(await weights(second.model)).toEqual(await weights(straight.model));
  });

  it('resuming at the requested step trains nothing; past it is an error', async () => {
    const run = setup();
    await fit(run.model, { ...run.options, steps: 2, checkpoint: { dir } });
    const again = setup();
    const history = await fit(again.model, { ...again.options, steps: 2, resume: dir });
    expect(history.steps.map((logs) => logs.step)).toEqual([1, 2]);
    const past = setup();
    await expect(fit(past.model, { ...past.options, steps: 1, resume: dir })).rejects.toThrow(/checkpoint in .* is at step 2, past steps 1/);
  });

  it('a missing or corrupt checkpoint is an error that names the file', async () => {
    const missing = setup();
    await expect(fit(missing.model, { ...missing.options, steps: 3, resume: dir })).rejects.toThrow(`no checkpoint to resume from: cannot read ${join(dir, 'checkpoint.json')}`);

    const run = setup();
    await fit(run.model, { ...run.options, steps: 2, checkpoint: { dir } });
    const manifest = await readFitCheckpoint(dir);
    const modelPath = join(dir, manifest.files.model.path);
    const good = await readFile(modelPath);

    await writeFile(modelPath, good.subarray(0, good.length - 4));
    let fresh = setup();
    await expect(fit(fresh.model, { ...fresh.options, steps: 3, resume: dir })).rejects.toThrow(`checkpoint file ${modelPath} is corrupt: ${good.length - 4} bytes, the manifest says ${good.length}`);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] ^= 1;
    await writeFile(modelPath, flipped);
    fresh = setup();
    await expect(fit(fresh.model, { ...fresh.options, steps: 3, resume: dir })).rejects.toThrow(`checkpoint file ${modelPath} is corrupt: its sha256 does not match the manifest`);

    await writeFile(modelPath, good);
    await rm(join(dir, manifest.files.optimizer.path));
    fresh = setup();
    await expect(fit(fresh.model, { ...fresh.options, steps: 3, resume: dir })).rejects.toThrow(`checkpoint file ${join(dir, manifest.files.optimizer.path)} is missing or unreadable`);

    await writeFile(join(dir, 'checkpoint.json'), '{ "format": "tessera-fit-checkpoint", ');
    fresh = setup();
    await expect(fit(fresh.model, { ...fresh.options, steps: 3, resume: dir })).rejects.toThrow(`the checkpoint manifest ${join(dir, 'checkpoint.json')} is corrupt`);
  });

  it('a checkpoint of another model or setup is an error naming what does not fit', async () => {
    const run = setup();
    await fit(run.model, { ...run.options, steps: 2, checkpoint: { dir } });
    const manifest = await readFitCheckpoint(dir);

    /** The same model plus a layer the checkpoint does not have. */
    class OtherLM extends TinyLM {
      readonly extra = new Linear(8, 12);
    }
    const other = setup();
    const otherModel = new OtherLM();
    const otherOptimizer = new AdamW(otherModel.parameters(), { lr: 3e-2 });
    await expect(fit(otherModel, { ...other.options, optimizer: otherOptimizer, scheduler: undefined, steps: 3, resume: dir })).rejects.toThrow(
      `cannot load the weights of ${join(dir, manifest.files.model.path)} into the model: loadStateDict: the state dict does not match OtherLM (missing keys: extra.weight, extra.bias)`,
    );

    const noSampler = setup();
    await expect(fit(noSampler.model, { ...noSampler.options, train: [[tokens.slice(0, 4) as never, tokens.slice(1, 5) as never]], steps: 3, resume: dir })).rejects.toThrow(
      /holds the train source's state, but this run's train source has no loadStateDict\(\)/,
    );
  });

  it('checkpoints need a step run and an optimizer and schedule with state dicts', async () => {
    const run = setup();
    const { model } = run;
    await expect(fit(model, { ...run.options, epochs: 1, checkpoint: { dir } })).rejects.toThrow(/checkpoint and resume need a step run \(steps: N\)/);
    const stateless = { step() {}, zeroGrad() {} };
    await expect(fit(model, { ...run.options, optimizer: stateless, scheduler: undefined, steps: 2, checkpoint: { dir } })).rejects.toThrow(
      /need an optimizer with stateDict\(\) and loadStateDict\(\)/,
    );
    await expect(fit(model, { ...run.options, scheduler: { step() {} }, steps: 2, checkpoint: { dir } })).rejects.toThrow(/need a scheduler with stateDict\(\) and loadStateDict\(\)/);
    await expect(fit(model, { ...run.options, steps: 2, resume: true })).rejects.toThrow(/resume: true resumes from checkpoint.dir/);
    await expect(fit(model, { ...run.options, steps: 2, checkpoint: { dir: '' } })).rejects.toThrow(/checkpoint.dir must be a non-empty folder path/);
    await expect(fit(model, { ...run.options, steps: 2, checkpoint: { dir, every: 0 } })).rejects.toThrow(/checkpoint.every must be a positive integer, got 0/);
    await expect(fit(model, { ...run.options, steps: 2, checkpoint: { dir, keep: 1.5 } })).rejects.toThrow(/checkpoint.keep must be a positive integer, got 1.5/);
  });

  it('works with an SGD optimizer that has no per-parameter state', async () => {
    const run = setup();
    const optimizer = new SGD(run.model.parameters(), { lr: 0.1 });
    await fit(run.model, { ...run.options, optimizer, scheduler: undefined, steps: 2, checkpoint: { dir } });
    const again = setup();
    const sgd = new SGD(again.model.parameters(), { lr: 0.1 });
    const history = await fit(again.model, { ...again.options, optimizer: sgd, scheduler: undefined, steps: 3, resume: dir });
    expect(history.steps.map((logs) => logs.step)).toEqual([1, 2, 3]);
  });
});
