/**
 * batch-vs-minibatch-vs-sgd: the three regimes of gradient descent are three DataLoader batch sizes —
 * the whole training set (batch: one exact but slow step per epoch), one example (stochastic: many noisy
 * steps), or something between (mini-batch: the usual compromise). Same model, data and epochs.
 */
import { manualSeed } from '@tessera/core';
import { DataLoader, TensorDataset } from '@tessera/data';
import { F, MLP, fit } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { digitsSplits, evaluateAccuracy, printer, round, table, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const data = digitsSplits(options.quick ? 300 : 1000, 100);
  const n = data.xTrain.shape[0];
  const epochs = options.quick ? 2 : 5;
  const regimes: [string, number][] = [
    ['batch', n],
    ['mini-batch', 32],
    ['stochastic', 1],
  ];
  print(`Digits: ${n} training images; MLP 64-64-10, SGD lr 0.05, ${epochs} epochs`);
  const rows: (string | number)[][] = [];
  const results: Record<string, { stepsPerEpoch: number; secondsPerEpoch: number; finalLoss: number; testAccuracy: number }> = {};
  for (const [name, batchSize] of regimes) {
    manualSeed(0);
    const model = new MLP({ sizes: [64, 64, 10] });
    const optimizer = new SGD(model.parameters(), { lr: 0.05 });
    const loader = new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize, shuffle: true, seed: 0 });
    const history = await fit(model, { train: loader, loss: (logits, labels) => F.crossEntropy(logits, labels), optimizer, epochs });
    const testAccuracy = await evaluateAccuracy(model, data.xTest, data.yTest);
    results[name] = { stepsPerEpoch: loader.length, secondsPerEpoch: history.secondsPerEpoch, finalLoss: history.last!.loss, testAccuracy };
    rows.push([`${name} (batch ${batchSize})`, String(loader.length), history.secondsPerEpoch, history.series('loss').map((v) => v.toFixed(3)).join(' '), testAccuracy]);
    model.dispose();
    optimizer.dispose();
  }
  print(table(['regime', 'steps/epoch', 's/epoch', 'training loss per epoch', 'test accuracy'], rows));
  data.dispose();
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { stepsPerEpoch: r.stepsPerEpoch, secondsPerEpoch: round(r.secondsPerEpoch, 3), finalLoss: round(r.finalLoss), testAccuracy: round(r.testAccuracy) }]));
}
