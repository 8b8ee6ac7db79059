/**
 * early-stopping: train long on 200 digits and watch the validation loss — it falls, then rises as the
 * network starts fitting noise. EarlyStopping (from @tessera/optim, a fit() callback) stops once the
 * validation loss has not improved for `patience` epochs and restores the best weights; a held-out test
 * set (never used for the decision) shows that the stopped model generalises at least as well.
 */
import { manualSeed } from '@tessera/core';
import { DataLoader, TensorDataset } from '@tessera/data';
import { F, MLP, fit } from '@tessera/nn';
import { EarlyStopping, SGD } from '@tessera/optim';
import { digitsSplits, evaluate, printer, round, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const data = digitsSplits(200, 200);
  const epochs = options.quick ? 60 : 200;
  const patience = options.quick ? 5 : 10;
  const train = async (callbacks: EarlyStopping[]) => {
    manualSeed(0);
    const model = new MLP({ sizes: [64, 128, 128, 10] });
    const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const history = await fit(model, {
      train: new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: 32, shuffle: true, seed: 0 }),
      val: [[data.xVal, data.yVal]],
      loss: (logits, labels) => F.crossEntropy(logits, labels),
      optimizer,
      epochs,
      callbacks,
    });
    const test = await evaluate(model, data.xTest, data.yTest);
    model.dispose();
    optimizer.dispose();
    return { history, testAccuracy: test.accuracy, testLoss: test.loss };
  };
  print(`Digits: 200 training, 200 validation, ${data.xTest.shape[0]} test images; MLP 64-128-128-10, SGD lr 0.05 momentum 0.9`);
  const full = await train([]);
  const best = full.history.best('val_loss')!;
  print(`\nWithout early stopping (${epochs} epochs): validation loss every ${epochs / 10} epochs`);
  print('  ' + full.history.series('val_loss').filter((_, i) => (i + 1) % (epochs / 10) === 0).map((v) => v.toFixed(3)).join(' '));
  print(`  lowest at epoch ${best.epoch + 1} (${best.value.toFixed(4)}), final ${full.history.last!.val_loss.toFixed(4)}; test loss ${full.testLoss.toFixed(4)}, test accuracy ${full.testAccuracy.toFixed(4)}`);

  const stopper = new EarlyStopping({ monitor: 'val_loss', patience, restoreBestWeights: true });
  const stopped = await train([stopper]);
  print(`\nWith EarlyStopping(patience ${patience}, restoreBestWeights): stopped after epoch ${stopped.history.epochs.length}, best epoch ${stopper.bestEpoch + 1} (val_loss ${stopper.bestValue.toFixed(4)}); test loss ${stopped.testLoss.toFixed(4)}, test accuracy ${stopped.testAccuracy.toFixed(4)}`);
  stopper.dispose();
  data.dispose();
  return {
    full: { epochs: full.history.epochs.length, bestEpoch: best.epoch + 1, bestValLoss: round(best.value), finalValLoss: round(full.history.last!.val_loss), testLoss: round(full.testLoss), testAccuracy: round(full.testAccuracy) },
    earlyStopping: { epochs: stopped.history.epochs.length, bestEpoch: stopper.bestEpoch + 1, bestValLoss: round(stopper.bestValue), testLoss: round(stopped.testLoss), testAccuracy: round(stopped.testAccuracy) },
  };
}
