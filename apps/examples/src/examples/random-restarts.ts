/**
 * random-restarts: gradient descent can settle in a poor local minimum. A 2-2-1 sigmoid network on XOR
 * gets stuck from some initial weights; randomRestarts (from @tessera/optim) trains it from several
 * seeded initialisations and keeps the run with the lowest loss.
 */
import { tensor, tidy } from '@tessera/core';
import { F, MLP, accuracy, fit } from '@tessera/nn';
import { SGD, randomRestarts } from '@tessera/optim';
import { printer, round, table, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const inputs = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const targets = tensor([[0], [1], [1], [0]]);
  const restarts = options.quick ? 6 : 10;
  const epochs = options.quick ? 600 : 1500;
  print(`XOR with a 2-2-1 sigmoid network, full-batch SGD lr 2, ${epochs} epochs, ${restarts} restarts`);
  const { best, bestRestart, results } = await randomRestarts(
    restarts,
    async (restart, seed) => {
      const model = new MLP({ sizes: [2, 2, 1], activation: 'sigmoid' });
      const optimizer = new SGD(model.parameters(), { lr: 2 });
      const history = await fit(model, { train: [[inputs, targets]], loss: (logits, y) => F.binaryCrossEntropyWithLogits(logits, y), optimizer, epochs, metrics: ['accuracy'] });
      optimizer.dispose();
      const correct = tidy(() => accuracy(model.forward(inputs), targets));
      const result = { restart, seed, valLoss: history.last!.loss, accuracy: await correct.item() };
      correct.dispose();
      model.dispose();
      return result;
    },
    { seed: 0 },
  );
  print(table(['restart', 'seed', 'final loss', 'accuracy'], results.map((r) => [String(r.restart), String(r.seed), r.valLoss, r.accuracy])));
  const stuck = results.filter((r) => r.accuracy < 1).length;
  print(`\n${stuck} of ${restarts} runs ended in a poor local minimum; the best run is restart ${bestRestart} (loss ${best.valLoss.toFixed(4)}, accuracy ${best.accuracy}).`);
  inputs.dispose();
  targets.dispose();
  return { bestRestart, bestLoss: round(best.valLoss), bestAccuracy: best.accuracy, stuck, losses: results.map((r) => round(r.valLoss)) };
}
