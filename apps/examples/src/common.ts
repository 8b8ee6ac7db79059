/**
 * Helpers shared by the examples: options, printing, tables and evaluation.
 */
import { noGrad, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { F, accuracy, type Metric } from '@tessera/nn';
import { StandardScaler, loadDigits, trainTestSplit } from '@tessera/data';

/** Options every example's `main` takes. */
export interface ExampleOptions {
  /** A small, fast configuration (used by the tests): fewer samples and epochs. */
  quick?: boolean;
  /** Where the example's lines go (default console.log); pass `() => {}` to silence it. */
  print?: (line: string) => void;
}

/** The printer of an example. */
export function printer(options: ExampleOptions): (line?: string) => void {
  const print = options.print ?? ((line: string) => console.log(line));
  return (line = '') => print(line);
}

/** A plain-text table with aligned columns. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Four significant decimals, or an exponent for tiny numbers. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e-3 || value === 0 ? value.toFixed(4) : value.toExponential(2);
}

type Classifier = { forward(x: Tensor): Tensor; train(mode?: boolean): unknown; training?: boolean };

/** Evaluation-mode accuracy and cross-entropy of a classifier over `inputs` (in chunks, without gradients). */
export async function evaluate(model: Classifier, inputs: Tensor, labels: Tensor, chunk = 2000): Promise<{ accuracy: number; loss: number }> {
  const wasTraining = model.training ?? true;
  model.train(false);
  let correct = 0;
  let lossSum = 0;
  const n = inputs.shape[0];
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const [hits, loss] = tidy(() =>
      noGrad(() => {
        const logits = model.forward(inputs.narrow(0, start, size));
        const target = labels.narrow(0, start, size);
        return [accuracy(logits, target).mul(size), F.crossEntropy(logits, target, { reduction: 'sum' })];
      }),
    );
    correct += await hits.item();
    lossSum += await loss.item();
    hits.dispose();
    loss.dispose();
  }
  model.train(wasTraining);
  return { accuracy: correct / n, loss: lossSum / n };
}

/** Evaluation-mode accuracy of a classifier over `inputs`. */
export async function evaluateAccuracy(model: Classifier, inputs: Tensor, labels: Tensor): Promise<number> {
  return (await evaluate(model, inputs, labels)).accuracy;
}

/** Round to a number of decimals (for returned key numbers). */
export function round(value: number, decimals = 4): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/**
 * Gaussian blobs: `perClass` points around each center (standard deviation `spread`), labels 0, 1, … as int32.
 * Uses core's seeded generator, so `manualSeed` fixes the points.
 */
export function blobs(centers: number[][], perClass: number, spread: number): { points: Tensor; labels: Tensor } {
  return tidy(() => {
    const dims = centers[0].length;
    const offsets = tensor(centers.flatMap((center) => Array.from({ length: perClass }, () => center)));
    const points = randn([centers.length * perClass, dims]).mul(spread).add(offsets);
    const labels = tensor(centers.flatMap((_, label) => Array.from({ length: perClass }, () => label)), { dtype: 'int32' });
    return { points, labels };
  });
}

/** A stratified, seeded train/test split of a classification data set, standardised on the training part only. */
export function standardSplit(features: Tensor, labels: Tensor, options: { testSize?: number; seed?: number } = {}) {
  const [xTrainRaw, xTestRaw, yTrain, yTest] = trainTestSplit(features, labels, { testSize: options.testSize ?? 0.25, seed: options.seed ?? 0, stratify: labels });
  const scaler = new StandardScaler().fit(xTrainRaw);
  const xTrain = scaler.transform(xTrainRaw);
  const xTest = scaler.transform(xTestRaw);
  for (const t of [xTrainRaw, xTestRaw]) t.dispose();
  scaler.dispose();
  return { xTrain, xTest, yTrain, yTest, dispose: () => [xTrain, xTest, yTrain, yTest].forEach((t) => t.dispose()) };
}

/** Mean squared error as a fit() metric (so curves show the data term, without any penalty). */
export function mseMetric(): Metric {
  let total = 0;
  let count = 0;
  return {
    name: 'mse',
    reset() {
      total = 0;
      count = 0;
    },
    async update(prediction, target) {
      const sum = tidy(() => prediction.sub(target).pow(2).sum());
      total += await sum.item();
      count += prediction.size;
      sum.dispose();
    },
    compute: () => total / count,
  };
}

/** The digits data set split three ways (standardised on the training part): a small training set invites overfitting. */
export function digitsSplits(trainCount: number, valCount: number, seed = 0) {
  const digits = loadDigits();
  const [xRest, xTestRaw, yRest, yTest] = trainTestSplit(digits.features, digits.labels, { testSize: 0.25, seed, stratify: digits.labels });
  const [xTrainRaw, xValRaw, yTrain, yVal] = trainTestSplit(xRest, yRest, { testSize: valCount, seed: seed + 1, stratify: yRest });
  const xTrainSmall = xTrainRaw.narrow(0, 0, Math.min(trainCount, xTrainRaw.shape[0]));
  const yTrainSmall = yTrain.narrow(0, 0, Math.min(trainCount, yTrain.shape[0]));
  const scaler = new StandardScaler().fit(xTrainSmall);
  const result = {
    xTrain: scaler.transform(xTrainSmall),
    yTrain: yTrainSmall.clone(),
    xVal: scaler.transform(xValRaw),
    yVal,
    xTest: scaler.transform(xTestRaw),
    yTest,
  };
  for (const t of [digits.features, digits.labels, xRest, yRest, xTestRaw, xTrainRaw, xValRaw, yTrain, xTrainSmall, yTrainSmall]) t.dispose();
  scaler.dispose();
  return { ...result, dispose: () => Object.values(result).forEach((t) => t.dispose()) };
}
