/**
 * Training a model on the copy task under a step budget: through `fit` (the comparisons' recipe), with a
 * held-out check every few steps that ends the run once the task is solved, then a final score on fresh
 * sequences.
 */
import { noGrad } from '@tessera/core';
import { SeededRandom } from '@tessera/data';
import { copyAccuracy, copyBatch, type CopyScore, type CopyTaskOptions } from './copy-task';
import { trainLanguageModel, type TrainableLanguageModel } from './train-language-model';

/** The budget and recipe of a copy-task run. */
export interface CopyRunOptions {
  /** The most optimizer steps. */
  steps: number;
  batchSize: number;
  lr: number;
  /** Seed of the training sequences (the check and test sequences use their own). */
  seed: number;
  /** Check the held-out accuracy every this many steps. */
  checkEvery?: number;
  /** Held-out symbol accuracy that counts as solved (default 0.99). */
  solvedAt?: number;
  /** Sequences in the final test (default 512). */
  testSequences?: number;
}

/** What a copy-task run measured. */
export interface CopyRun {
  /** Steps trained (fewer than the budget when it was solved early). */
  steps: number;
  /** The step at which the check first reached `solvedAt`, or null. */
  solvedAtStep: number | null;
  seconds: number;
  firstLoss: number;
  lastLoss: number;
  /** Final score on fresh sequences. */
  test: CopyScore;
  /** test.correct / test.total. */
  accuracy: number;
  /** test.exact / test.sequences. */
  exactMatch: number;
}

/** Scores `model` on `count` sequences drawn from `seed`, in evaluation mode, without gradients. */
export async function scoreCopyTask(model: TrainableLanguageModel, task: CopyTaskOptions, count: number, seed: number): Promise<CopyScore> {
  const wasTraining = model.training;
  model.train(false);
  const [x, y] = copyBatch(task, count, new SeededRandom(seed));
  const logits = noGrad(() => model.forward(x).logits);
  const score = await copyAccuracy(logits, y);
  [x, y, logits].forEach((t) => t.dispose());
  model.train(wasTraining);
  return score;
}

/**
 * Trains `model` on `task` for at most `options.steps` steps, stopping once solved.
 * @example
 * const run = await trainCopyTask(gpt, { alphabet: 8, k: 2, gap: 100 }, { steps: 800, batchSize: 32, lr: 3e-3, seed: 1 });
 * run.accuracy; // 1 when attention found the symbols
 */
export async function trainCopyTask(model: TrainableLanguageModel, task: CopyTaskOptions, options: CopyRunOptions): Promise<CopyRun> {
  const rng = new SeededRandom(options.seed);
  const checkEvery = options.checkEvery ?? 50;
  const solvedAt = options.solvedAt ?? 0.99;
  let solvedAtStep: number | null = null;
  function* batches() {
    for (;;) yield copyBatch(task, options.batchSize, rng);
  }
  const run = await trainLanguageModel(model, {
    train: batches(),
    steps: options.steps,
    tokensPerStep: options.batchSize * (task.gap + 2 * task.k + 1),
    lr: options.lr,
    minLr: options.lr / 10,
    warmup: 20,
    weightDecay: 0,
    onStep: async (step) => {
      if (step % checkEvery !== 0) return false;
      const check = await scoreCopyTask(model, task, 256, options.seed + 1);
      if (check.correct / check.total < solvedAt) return false;
      solvedAtStep = step;
      return true;
    },
  });
  const test = await scoreCopyTask(model, task, options.testSequences ?? 512, options.seed + 2);
  return {
    steps: run.steps,
    solvedAtStep,
    seconds: run.seconds,
    firstLoss: run.firstLoss,
    lastLoss: run.lastLoss,
    test,
    accuracy: test.correct / test.total,
    exactMatch: test.exact / test.sequences,
  };
}
