/**
 * momentum: SGD whose step is a weighted average of past steps (momentum β: v ← βv + ∇L, w ← w − ηv)
 * keeps moving through flat stretches and damps zig-zags across steep valleys. The same MLP on the digits
 * trained with β = 0, 0.5 and 0.9 — the training loss after each epoch shows the speed-up.
 */
import { manualSeed } from '@tessera/core';
import { DataLoader, TensorDataset } from '@tessera/data';
import { F, MLP, fit } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { digitsSplits, evaluateAccuracy, printer, round, table, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const data = digitsSplits(options.quick ? 400 : 1200, 100);
  const epochs = options.quick ? 4 : 10;
  const momenta = [0, 0.5, 0.9];
  const curves: number[][] = [];
  const accuracies: number[] = [];
  print(`Digits: ${data.xTrain.shape[0]} training images; MLP 64-64-10 (sigmoid), SGD lr 0.01, batch 32, ${epochs} epochs`);
  for (const momentum of momenta) {
    manualSeed(0);
    const model = new MLP({ sizes: [64, 64, 10], activation: 'sigmoid' });
    const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum });
    const history = await fit(model, {
      train: new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: 32, shuffle: true, seed: 0 }),
      loss: (logits, labels) => F.crossEntropy(logits, labels),
      optimizer,
      epochs,
    });
    curves.push(history.series('loss'));
    accuracies.push(await evaluateAccuracy(model, data.xTest, data.yTest));
    model.dispose();
    optimizer.dispose();
  }
  print('\nTraining loss per epoch:');
  print(table(['epoch', ...momenta.map((m) => `β = ${m}`)], curves[0].map((_, epoch) => [String(epoch + 1), ...curves.map((curve) => curve[epoch])])));
  print(`\nTest accuracy: ${momenta.map((m, i) => `β = ${m}: ${accuracies[i].toFixed(4)}`).join(', ')}`);
  data.dispose();
  return Object.fromEntries(momenta.map((m, i) => [`momentum${m}`, { finalLoss: round(curves[i].at(-1)!), testAccuracy: round(accuracies[i]) }]));
}
