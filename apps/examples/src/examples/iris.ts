/**
 * iris: multinomial logistic regression (softmax over three species) on Fisher's iris data, with
 * standardised features, fit() with SGD, accuracy / macro-F1 and the confusion matrix on held-out flowers.
 * Target: ≥ 0.95 test accuracy.
 */
import { manualSeed, noGrad, tidy } from '@tessera/core';
import { DataLoader, TensorDataset, loadIris } from '@tessera/data';
import { F, LogisticRegression, accuracy, confusionMatrix, f1Score, fit } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { printer, round, standardSplit, table, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  manualSeed(0);
  const iris = loadIris();
  const data = standardSplit(iris.features, iris.labels, { testSize: 0.3, seed: 0 });
  const model = new LogisticRegression(4, { numClasses: 3 });
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const epochs = options.quick ? 30 : 100;
  const history = await fit(model, {
    train: new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: 16, shuffle: true, seed: 0 }),
    val: [[data.xTest, data.yTest]],
    loss: (logits, labels) => F.crossEntropy(logits, labels),
    optimizer,
    epochs,
    metrics: ['accuracy', 'f1'],
  });
  const logits = noGrad(() => model.forward(data.xTest));
  const [testAccuracy, testF1, matrix] = tidy(() => [accuracy(logits, data.yTest), f1Score(logits, data.yTest), confusionMatrix(logits, data.yTest)]);
  const result = { accuracy: await testAccuracy.item(), f1: await testF1.item(), confusion: (await matrix.array()) as number[][] };
  print(`Iris: ${data.xTrain.shape[0]} training and ${data.xTest.shape[0]} test flowers, 4 standardised features, 3 species`);
  print(`Softmax regression (4 → 3), SGD lr 0.1 momentum 0.9, batch 16, ${epochs} epochs`);
  for (const epoch of [0, Math.floor(epochs / 2) - 1, epochs - 1]) {
    const logs = history.epochs[epoch];
    print(`  epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, val_loss ${logs.val_loss.toFixed(4)}, val_accuracy ${logs.val_accuracy.toFixed(4)}`);
  }
  print(`Test accuracy ${result.accuracy.toFixed(4)} (target ≥ 0.95), macro F1 ${result.f1.toFixed(4)}`);
  print('Confusion matrix (rows: true species, columns: predicted):');
  print(table(['', ...iris.classNames], result.confusion.map((row, i) => [iris.classNames[i], ...row])));
  for (const t of [logits, testAccuracy, testF1, matrix, iris.features, iris.labels]) t.dispose();
  data.dispose();
  model.dispose();
  optimizer.dispose();
  return { accuracy: round(result.accuracy), f1: round(result.f1), confusion: result.confusion };
}
