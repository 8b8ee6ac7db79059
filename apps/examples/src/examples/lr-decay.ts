/**
 * lr-decay: a large learning rate makes fast progress early but bounces around the minimum later; decaying
 * it gets both. The same MLP on the digits with a constant rate, StepLR (halve every few epochs),
 * ExponentialLR, InverseSqrtLR (η₀/√t) and ReduceLROnPlateau (which fit() feeds the validation loss).
 */
import { manualSeed } from '@tessera/core';
import { DataLoader, TensorDataset } from '@tessera/data';
import { F, MLP, fit, type SchedulerLike } from '@tessera/nn';
import { ExponentialLR, InverseSqrtLR, ReduceLROnPlateau, SGD, StepLR } from '@tessera/optim';
import { digitsSplits, evaluateAccuracy, printer, round, table, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const data = digitsSplits(options.quick ? 400 : 1000, 200);
  const epochs = options.quick ? 4 : 12;
  const schedules: [string, ((optimizer: SGD) => SchedulerLike) | null][] = [
    ['constant', null],
    ['StepLR(3, 0.5)', (optimizer) => new StepLR(optimizer, { stepSize: 3, gamma: 0.5 })],
    ['ExponentialLR(0.8)', (optimizer) => new ExponentialLR(optimizer, { gamma: 0.8 })],
    ['InverseSqrtLR', (optimizer) => new InverseSqrtLR(optimizer)],
    ['ReduceLROnPlateau', (optimizer) => new ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 1 })],
  ];
  print(`Digits: ${data.xTrain.shape[0]} training images; MLP 64-128-10, SGD lr 0.5 (deliberately large), batch 16, ${epochs} epochs`);
  const rows: (string | number)[][] = [];
  const results: Record<string, { finalLoss: number; valLoss: number; testAccuracy: number; lastLr: number }> = {};
  for (const [name, makeScheduler] of schedules) {
    manualSeed(0);
    const model = new MLP({ sizes: [64, 128, 10] });
    const optimizer = new SGD(model.parameters(), { lr: 0.5 });
    const history = await fit(model, {
      train: new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: 16, shuffle: true, seed: 0 }),
      val: [[data.xVal, data.yVal]],
      loss: (logits, labels) => F.crossEntropy(logits, labels),
      optimizer,
      epochs,
      scheduler: makeScheduler?.(optimizer),
    });
    const testAccuracy = await evaluateAccuracy(model, data.xTest, data.yTest);
    const lrs = history.series('lr');
    print(`\n${name}: lr per epoch ${lrs.map((lr) => lr.toPrecision(2)).join(' ')}`);
    print(`  training loss ${history.series('loss').map((v) => v.toFixed(3)).join(' ')}`);
    results[name] = { finalLoss: history.last!.loss, valLoss: history.last!.val_loss, testAccuracy, lastLr: lrs.at(-1)! };
    rows.push([name, history.last!.loss, history.last!.val_loss, testAccuracy]);
    model.dispose();
    optimizer.dispose();
  }
  print('');
  print(table(['schedule', 'final train loss', 'final val loss', 'test accuracy'], rows));
  data.dispose();
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { finalLoss: round(r.finalLoss), valLoss: round(r.valLoss), testAccuracy: round(r.testAccuracy), lastLr: r.lastLr }]));
}
