/**
 * dropout: a wide 64-256-256-10 network trained on only 200 digits memorises them; dropout (p = 0.5 after
 * each hidden layer) randomly silences units during training so no unit can rely on another, which
 * narrows the gap between training and test accuracy. In eval mode Dropout is the identity.
 */
import { manualSeed } from '@tessera/core';
import { DataLoader, TensorDataset } from '@tessera/data';
import { F, MLP, fit } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { digitsSplits, evaluateAccuracy, printer, round, table, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const data = digitsSplits(200, 100);
  const epochs = options.quick ? 40 : 150;
  print(`Digits: 200 training images, ${data.xTest.shape[0]} test images; MLP 64-256-256-10, Adam lr 1e-3, batch 32, ${epochs} epochs`);
  const results: Record<string, { trainAccuracy: number; testAccuracy: number; testLoss: number }> = {};
  for (const p of [0, 0.5]) {
    manualSeed(0);
    const model = new MLP({ sizes: [64, 256, 256, 10], dropout: p });
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
    const history = await fit(model, {
      train: new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: 32, shuffle: true, seed: 0 }),
      val: [[data.xTest, data.yTest]],
      loss: (logits, labels) => F.crossEntropy(logits, labels),
      optimizer,
      epochs,
    });
    const trainAccuracy = await evaluateAccuracy(model, data.xTrain, data.yTrain);
    const testAccuracy = await evaluateAccuracy(model, data.xTest, data.yTest);
    results[String(p)] = { trainAccuracy, testAccuracy, testLoss: history.last!.val_loss };
    print(`\ndropout p = ${p}: test loss every ${Math.floor(epochs / 5)} epochs: ${history.series('val_loss').filter((_, i) => (i + 1) % Math.floor(epochs / 5) === 0).map((v) => v.toFixed(3)).join(' → ')}`);
    model.dispose();
    optimizer.dispose();
  }
  print('');
  print(table(['dropout p', 'train accuracy', 'test accuracy', 'gap', 'test loss'], Object.entries(results).map(([p, r]) => [p, r.trainAccuracy, r.testAccuracy, r.trainAccuracy - r.testAccuracy, r.testLoss])));
  data.dispose();
  const summary = (r: (typeof results)[string]) => ({ trainAccuracy: round(r.trainAccuracy), testAccuracy: round(r.testAccuracy), gap: round(r.trainAccuracy - r.testAccuracy), testLoss: round(r.testLoss) });
  return { withoutDropout: summary(results['0']), withDropout: summary(results['0.5']) };
}
