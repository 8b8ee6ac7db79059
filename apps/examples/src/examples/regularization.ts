/**
 * regularization: L1 makes weights sparse, L2 shrinks them. A linear model with 20 inputs, of which only 3
 * matter, fitted to 30 noisy points — enough freedom to fit the noise. Adding λΣ|w| (L1) drives the 17
 * useless weights to zero; adding λΣw² (L2) shrinks every weight. Train and test errors are printed as
 * curves; the test error shows what the penalties buy.
 */
import { manualSeed, noGrad, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { F, Linear, fit, l1Penalty, l2Penalty } from '@tessera/nn';
import { SGD } from '@tessera/optim';
import { mseMetric, printer, round, table, type ExampleOptions } from '../common';

const FEATURES = 20;
const TRUE_WEIGHTS = [3, -2, 1.5, ...Array.from({ length: FEATURES - 3 }, () => 0)];

function makeData(count: number, noise: number): [Tensor, Tensor] {
  return tidy(() => {
    const x = randn([count, FEATURES]);
    const y = x.matmul(tensor(TRUE_WEIGHTS).reshape([FEATURES, 1])).add(randn([count, 1]).mul(noise));
    return [x, y];
  });
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  manualSeed(0);
  const train = makeData(30, 1);
  const test = makeData(1000, 1);
  const epochs = options.quick ? 150 : 500;
  // Each penalty with a strength that suits it (the loss adds λ/2 times the penalty).
  const runs = [
    { name: 'none', penalty: null, lambda: 0 },
    { name: 'L1', penalty: l1Penalty, lambda: 1 },
    { name: 'L2', penalty: l2Penalty, lambda: 0.2 },
  ] as const;
  const results: Record<string, { trainMse: number; testMse: number; nearZero: number; norm: number; weights: number[] }> = {};
  print(`Linear model, ${FEATURES} inputs (3 informative), 30 training points, full-batch SGD lr 0.02, ${epochs} epochs`);
  for (const run of runs) {
    manualSeed(1);
    const model = new Linear(FEATURES, 1);
    const optimizer = new SGD(model.parameters(), { lr: 0.02 });
    const history = await fit(model, {
      train: [train],
      val: [test],
      loss: (prediction, target) => {
        const dataLoss = F.mseLoss(prediction, target);
        return run.penalty ? dataLoss.add(run.penalty([model.weight]).mul(run.lambda / 2)) : dataLoss;
      },
      optimizer,
      epochs,
      metrics: [mseMetric()],
    });
    const weights = Array.from(await model.weight.data(), Number);
    const norm = Math.sqrt(weights.reduce((sum, w) => sum + w * w, 0));
    const nearZero = weights.slice(3).filter((w) => Math.abs(w) < 0.01).length;
    results[run.name] = { trainMse: history.last!.mse, testMse: history.last!.val_mse, nearZero, norm, weights };
    print(`\n${run.name === 'none' ? 'No penalty' : `${run.name} penalty, λ = ${run.lambda}`}: train / test MSE over epochs`);
    for (let epoch = 0; epoch < epochs; epoch += Math.max(1, Math.floor(epochs / 5))) {
      print(`  epoch ${String(epoch + 1).padStart(3)}: ${history.epochs[epoch].mse.toFixed(3)} / ${history.epochs[epoch].val_mse.toFixed(3)}`);
    }
    print(`  weights: ${weights.map((w) => w.toFixed(2)).join(' ')}`);
    model.dispose();
    optimizer.dispose();
  }
  print('');
  print(
    table(
      ['penalty', 'train MSE', 'test MSE', 'useless weights |w| < 0.01', '‖w‖₂'],
      runs.map(({ name }) => [name, results[name].trainMse, results[name].testMse, `${results[name].nearZero} of 17`, results[name].norm]),
    ),
  );
  noGrad(() => [...train, ...test].forEach((t) => t.dispose()));
  const summary = (name: string) => ({ trainMse: round(results[name].trainMse), testMse: round(results[name].testMse), nearZero: results[name].nearZero, norm: round(results[name].norm) });
  return { none: summary('none'), l1: summary('L1'), l2: summary('L2') };
}
