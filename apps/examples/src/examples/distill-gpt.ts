/**
 * distill-gpt: knowledge distillation (Hinton et al., 2015) of a character-level GPT. A teacher trained on
 * Moby Dick teaches a student with half its blocks (same width, about half the parameters): the student
 * learns from the teacher's softened next-character distribution (temperature T) blended with the true
 * next character (`F.distillationLoss`, weight α on the soft term). The same student trained on the true
 * characters alone, for the same steps from the same initial weights, is the baseline; both are scored by
 * cross-entropy on held-out text, over 3 seeds. The result is printed as measured, win or not.
 */
import { manualSeed, noGrad, tidy } from '@tessera/core';
import { RandomWindowSampler } from '@tessera/data';
import { F, fit } from '@tessera/nn';
import { AdamW } from '@tessera/optim';
import { GPT, type GPTOptions } from '@tessera/models-transformer';
import { printer, round, table, type ExampleOptions } from '../common';
import { loadText } from '../gpt/text';
import { charTokenizer } from '../gpt/tokenizer';

export interface DistillGptOptions extends ExampleOptions {
  /** Teacher training steps (default 2000; quick: 30). */
  teacherSteps?: number;
  /** Steps of each student run (default 600; quick: 20). */
  studentSteps?: number;
  /** Student seeds (default 3; quick: 1). */
  seeds?: number;
  /** Softening temperature T (default 2). */
  temperature?: number;
  /** Weight α of the soft term (default 0.5). */
  alpha?: number;
}

/** Mean cross-entropy on the true next characters over fixed held-out windows (eval mode, no gradients). */
async function heldOutLoss(model: GPT, tokens: Int32Array, blockSize: number, batches: number): Promise<number> {
  const sampler = new RandomWindowSampler(tokens, { blockSize, batchSize: 16, seed: 99 });
  model.eval();
  let total = 0;
  for (let i = 0; i < batches; i++) {
    const [x, y] = sampler.sample();
    const loss = tidy(() => noGrad(() => model.forward(x, { targets: y }).loss!));
    total += await loss.item();
    for (const t of [x, y, loss]) t.dispose();
  }
  model.train();
  return total / batches;
}

export async function main(options: DistillGptOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const teacherSteps = options.teacherSteps ?? (quick ? 30 : 2000);
  const studentSteps = options.studentSteps ?? (quick ? 20 : 600);
  const seeds = options.seeds ?? (quick ? 1 : 3);
  const temperature = options.temperature ?? 2;
  const alpha = options.alpha ?? 0.5;
  const evalBatches = quick ? 2 : 20;

  const text = loadText(null).slice(0, quick ? 60_000 : undefined);
  const tokenizer = charTokenizer(text);
  const tokens = Int32Array.from(tokenizer.encode(text));
  const split = Math.floor(tokens.length * 0.9);
  const [trainTokens, valTokens] = [tokens.subarray(0, split), tokens.subarray(split)];
  const shape = quick ? { nHead: 2, nEmbd: 32, blockSize: 32 } : { nHead: 4, nEmbd: 64, blockSize: 64 };
  const batchSize = quick ? 8 : 16;
  const teacherConfig: GPTOptions = { vocabSize: tokenizer.vocabSize, nLayer: 4, ...shape };
  const studentConfig: GPTOptions = { ...teacherConfig, nLayer: 2 };
  const train = (seed: number) => new RandomWindowSampler(trainTokens, { blockSize: shape.blockSize, batchSize, seed });
  const optimizerFor = (model: GPT) => new AdamW(model.parameterGroups(0.1), { lr: 3e-3, betas: [0.9, 0.99] });

  print(`Moby Dick, ${tokens.length} characters (${tokenizer.vocabSize} distinct), 90 % train / 10 % held out`);
  manualSeed(0);
  const teacher = new GPT(teacherConfig);
  const teacherParameters = teacher.numParameters();
  print(`Teacher: ${teacherConfig.nLayer} blocks × ${shape.nEmbd}, ${teacherParameters} parameters, ${teacherSteps} steps`);
  const teacherOptimizer = optimizerFor(teacher);
  const teacherHistory = await fit(teacher, {
    train: train(1), computeLoss: (model, x, y) => model.forward(x, { targets: y }).loss!, optimizer: teacherOptimizer, steps: teacherSteps,
  });
  teacherOptimizer.dispose();
  const teacherLoss = await heldOutLoss(teacher, valTokens, shape.blockSize, evalBatches);
  teacher.eval();
  print(`  held-out loss ${teacherLoss.toFixed(4)} (${(teacherHistory.steps.at(-1)!.tokens_per_sec ?? 0).toFixed(0)} tokens/s)`);

  const rows: (string | number)[][] = [];
  const hard: number[] = [];
  const distilled: number[] = [];
  let studentParameters = 0;
  for (let seed = 0; seed < seeds; seed++) {
    for (const mode of ['hard labels', 'distilled'] as const) {
      manualSeed(100 + seed); // the same initial student and the same batches in both modes
      const student = new GPT(studentConfig);
      studentParameters = student.numParameters();
      const optimizer = optimizerFor(student);
      await fit(student, {
        train: train(200 + seed),
        computeLoss: (model, x, y) => {
          if (mode === 'hard labels') return model.forward(x, { targets: y }).loss!;
          const teacherLogits = noGrad(() => teacher.forward(x).logits);
          return F.distillationLoss(model.forward(x).logits, teacherLogits, y, { temperature, alpha });
        },
        optimizer,
        steps: studentSteps,
      });
      optimizer.dispose();
      const loss = await heldOutLoss(student, valTokens, shape.blockSize, evalBatches);
      (mode === 'distilled' ? distilled : hard).push(loss);
      rows.push([seed, mode, loss]);
      student.dispose();
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  print(`\nStudent: ${studentConfig.nLayer} blocks × ${shape.nEmbd}, ${studentParameters} parameters, ${studentSteps} steps per run; distillation T = ${temperature}, α = ${alpha}`);
  print(table(['seed', 'student trained on', 'held-out loss'], rows));
  const [hardMean, distilledMean] = [mean(hard), mean(distilled)];
  const wins = distilled.filter((value, i) => value < hard[i]).length;
  print(`\nmean held-out loss: hard labels ${hardMean.toFixed(4)}, distilled ${distilledMean.toFixed(4)} (teacher ${teacherLoss.toFixed(4)})`);
  print(
    distilledMean < hardMean
      ? `The distilled student beats the same student on hard labels by ${(hardMean - distilledMean).toFixed(4)} nats (${wins} of ${seeds} seeds).`
      : `The distilled student does NOT beat the same student on hard labels here (by ${(distilledMean - hardMean).toFixed(4)} nats; ${wins} of ${seeds} seeds better).`,
  );
  teacher.dispose();
  return {
    teacherParameters, studentParameters, teacherLoss: round(teacherLoss),
    hard: hard.map((v) => round(v)), distilled: distilled.map((v) => round(v)), hardMean: round(hardMean), distilledMean: round(distilledMean), wins,
  };
}
