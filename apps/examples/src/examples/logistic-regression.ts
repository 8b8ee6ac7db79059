/**
 * logistic-regression: binary logistic regression on two overlapping clusters, trained two ways — the
 * course's per-point rule w ← w + α(y − ŷ)x, b ← b + α(y − ŷ), and fit() with SGD on the log-loss —
 * printing the log-loss as it falls. Both reach the same boundary.
 */
import { manualSeed, noGrad, tidy } from '@tessera/core';
import { F, LogisticRegression, accuracy, fit, logLoss } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { blobs, printer, round, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  manualSeed(7);
  const { points, labels } = blobs([[-1, -1], [1, 1]], options.quick ? 50 : 200, 0.9);
  const targets = labels.float();
  const epochs = options.quick ? 20 : 50;
  const measure = async (model: LogisticRegression) => {
    const [loss, acc] = noGrad(() => tidy(() => {
      const logits = model.forward(points);
      return [logLoss(logits, targets), accuracy(logits, labels)];
    }));
    const result = { logLoss: await loss.item(), accuracy: await acc.item() };
    loss.dispose();
    acc.dispose();
    return result;
  };

  print(`${points.shape[0]} points in two overlapping clusters`);
  print(`\n1. The course's per-point rule (α = 0.01), one point at a time:`);
  manualSeed(0);
  const perPoint = new LogisticRegression(2);
  const perPointCurve: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    perPoint.fitPerPoint(points, labels, { lr: 0.01, epochs: 1 });
    const { logLoss: value } = await measure(perPoint);
    perPointCurve.push(value);
    if (epoch === 1 || epoch % 10 === 0) print(`  epoch ${String(epoch).padStart(3)}: log-loss ${value.toFixed(4)}`);
  }
  const perPointResult = await measure(perPoint);

  print(`\n2. fit() with SGD (lr 0.5, full batch) on the log-loss:`);
  manualSeed(0);
  const model = new LogisticRegression(2);
  const optimizer = new SGD(model.parameters(), { lr: 0.5 });
  const history = await fit(model, {
    train: [[points, targets]],
    loss: (logits, y) => F.binaryCrossEntropyWithLogits(logits, y),
    optimizer,
    epochs: epochs * 2,
    metrics: ['accuracy'],
  });
  history.epochs.forEach((logs, epoch) => {
    if (epoch === 0 || (epoch + 1) % 20 === 0) print(`  epoch ${String(epoch + 1).padStart(3)}: log-loss ${logs.loss.toFixed(4)}, accuracy ${logs.accuracy.toFixed(4)}`);
  });
  const fitResult = await measure(model);
  const weights = Array.from(await model.linear.weight.data(), Number);
  print(`\nPer-point rule: log-loss ${perPointResult.logLoss.toFixed(4)}, accuracy ${perPointResult.accuracy.toFixed(4)}`);
  print(`fit + SGD:      log-loss ${fitResult.logLoss.toFixed(4)}, accuracy ${fitResult.accuracy.toFixed(4)}, w = (${weights.map((v) => v.toFixed(3)).join(', ')})`);
  for (const t of [points, labels, targets]) t.dispose();
  perPoint.dispose();
  model.dispose();
  optimizer.dispose();
  return {
    perPoint: { logLoss: round(perPointResult.logLoss), accuracy: round(perPointResult.accuracy), firstLoss: round(perPointCurve[0]) },
    sgd: { logLoss: round(fitResult.logLoss), accuracy: round(fitResult.accuracy), firstLoss: round(history.epochs[0].loss) },
  };
}
