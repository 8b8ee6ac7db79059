/**
 * digits: a 64-128-10 MLP on the bundled 8 × 8 handwritten digits (1 797 images), trained with fit()
 * and Adam; per-class precision and recall on held-out digits. Target: ≥ 0.95 test accuracy.
 */
import { manualSeed, noGrad, tidy } from '@tessera/core';
import { DataLoader, TensorDataset, loadDigits } from '@tessera/data';
import { F, MLP, accuracy, fit, precision, recall } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { printer, round, standardSplit, table, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  manualSeed(0);
  const digits = loadDigits();
  const data = standardSplit(digits.features, digits.labels, { testSize: 0.25, seed: 0 });
  const model = new MLP({ sizes: [64, 128, 10], activation: 'relu' });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const epochs = options.quick ? 5 : 30;
  const history = await fit(model, {
    train: new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: 32, shuffle: true, seed: 0 }),
    val: [[data.xTest, data.yTest]],
    loss: (logits, labels) => F.crossEntropy(logits, labels),
    optimizer,
    epochs,
    metrics: ['accuracy'],
  });
  const logits = noGrad(() => model.forward(data.xTest));
  const [testAccuracy, precisions, recalls] = tidy(() => [
    accuracy(logits, data.yTest),
    precision(logits, data.yTest, { average: 'none' }),
    recall(logits, data.yTest, { average: 'none' }),
  ]);
  const result = { accuracy: await testAccuracy.item(), precision: Array.from(await precisions.data(), Number), recall: Array.from(await recalls.data(), Number) };
  print(`Digits: ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test images of 8 × 8 pixels`);
  print(`MLP 64-128-10 (ReLU), Adam lr 1e-3, batch 32, ${epochs} epochs, ${history.secondsPerEpoch.toFixed(3)} s per epoch`);
  print(`Test accuracy ${result.accuracy.toFixed(4)} (target ≥ 0.95)`);
  print(table(['digit', 'precision', 'recall'], result.precision.map((p, digit) => [String(digit), p, result.recall[digit]])));
  for (const t of [logits, testAccuracy, precisions, recalls, digits.features, digits.labels]) t.dispose();
  data.dispose();
  model.dispose();
  optimizer.dispose();
  return { accuracy: round(result.accuracy), secondsPerEpoch: round(history.secondsPerEpoch, 3) };
}
