/**
 * prune-mlp: model pruning on the Fashion-MNIST MLP (784-256-128-10). The dense network is trained once;
 * then, for 50 %, 80 % and 90 % sparsity, a copy has that share of its weights removed by global L1
 * pruning (`prune.globalUnstructured`: the smallest |w| across the three weight matrices together), is
 * fine-tuned with the mask in place (pruned weights stay exactly 0), and the pruning is made permanent
 * (`prune.remove`). The table shows test accuracy right after pruning and after fine-tuning.
 */
import { manualSeed, tidy, type Tensor } from '@tessera/core';
import { DataLoader, TensorDataset, loadFashionMNIST } from '@tessera/data';
import { F, Linear, MLP, fit, prune } from '@tessera/nn';
import { Adam, CosineAnnealingLR } from '@tessera/optim';
import { evaluateAccuracy, printer, round, table, type ExampleOptions } from '../common';

export interface PruneMlpOptions extends ExampleOptions {
  /** Epochs of the dense network (default 5; quick: 1). */
  epochs?: number;
  /** Fine-tuning epochs after pruning (default 2; quick: 1). */
  fineTuneEpochs?: number;
  /** Sparsities to try (default [0.5, 0.8, 0.9]). */
  sparsities?: number[];
}

const SIZES = [784, 256, 128, 10];

async function train(model: MLP, x: Tensor, y: Tensor, epochs: number, lr: number): Promise<void> {
  const optimizer = new Adam(model.parameters(), { lr });
  await fit(model, {
    train: new DataLoader(new TensorDataset(x, y), { batchSize: 128, shuffle: true, seed: 1 }),
    loss: (logits, labels) => F.crossEntropy(logits, labels),
    optimizer,
    epochs,
    scheduler: new CosineAnnealingLR(optimizer, { tMax: epochs }),
  });
  optimizer.dispose();
}

async function countZeros(layers: Linear[]): Promise<{ zeros: number; total: number }> {
  let zeros = 0;
  let total = 0;
  for (const layer of layers) {
    const values = await layer.weight.data();
    total += values.length;
    for (const v of values) if (v === 0) zeros++;
  }
  return { zeros, total };
}

export async function main(options: PruneMlpOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const epochs = options.epochs ?? (quick ? 1 : 5);
  const fineTuneEpochs = options.fineTuneEpochs ?? 1 + (quick ? 0 : 1);
  const sparsities = options.sparsities ?? [0.5, 0.8, 0.9];
  manualSeed(0);
  const trainSet = await loadFashionMNIST({ split: 'train', limit: quick ? 2000 : undefined });
  const testSet = await loadFashionMNIST({ split: 'test', limit: quick ? 500 : undefined });
  const [meanT, stdT] = tidy(() => [trainSet.images.mean(), trainSet.images.std()]); // (Tensor.std leaks its variance outside a tidy)
  const [mean, std] = [await meanT.item(), await stdT.item()];
  meanT.dispose();
  stdT.dispose();
  const xTrain = tidy(() => trainSet.images.sub(mean).div(std));
  const xTest = tidy(() => testSet.images.sub(mean).div(std));
  print(`Fashion-MNIST: ${xTrain.shape[0]} training and ${xTest.shape[0]} test images; MLP ${SIZES.join('-')}`);

  const dense = new MLP({ sizes: SIZES, activation: 'relu' });
  await train(dense, xTrain, trainSet.labels, epochs, 1e-3);
  const denseAccuracy = await evaluateAccuracy(dense, xTest, testSet.labels);
  print(`dense: ${epochs} epochs of Adam 1e-3 (cosine), test accuracy ${denseAccuracy.toFixed(4)}`);

  const rows: (string | number)[][] = [['0 %', '-', denseAccuracy, 0, dense.numParameters()]];
  const results = [];
  for (const sparsity of sparsities) {
    const model = new MLP({ sizes: SIZES, activation: 'relu' });
    model.loadStateDict(dense.stateDict());
    const layers = model.modules().filter((m): m is Linear => m instanceof Linear);
    await prune.globalUnstructured(layers.map((layer) => [layer, 'weight'] as const), { amount: sparsity });
    const pruned = await evaluateAccuracy(model, xTest, testSet.labels);
    await train(model, xTrain, trainSet.labels, fineTuneEpochs, 3e-4);
    for (const layer of layers) prune.remove(layer, 'weight');
    const fineTuned = await evaluateAccuracy(model, xTest, testSet.labels);
    const { zeros, total } = await countZeros(layers);
    rows.push([`${Math.round(sparsity * 100)} %`, pruned, fineTuned, zeros / total, model.numParameters() - zeros]);
    results.push({ sparsity, measuredSparsity: round(zeros / total, 6), pruned: round(pruned), fineTuned: round(fineTuned), drop: round(denseAccuracy - fineTuned) });
    model.dispose();
  }
  print(`\nglobal L1 pruning of the three weight matrices, then ${fineTuneEpochs} epoch(s) of fine-tuning (Adam 3e-4, mask kept):`);
  print(table(['sparsity', 'accuracy after pruning', `after fine-tuning`, 'weights at 0', 'non-zero parameters'], rows));
  const half = results.find((r) => r.sparsity === 0.5);
  if (half) print(`\n50 % sparsity ends ${(100 * Math.abs(half.drop)).toFixed(2)} points ${half.drop >= 0 ? 'below' : 'above'} the dense network (target: within 1 point).`);
  dense.dispose();
  for (const t of [trainSet.images, trainSet.labels, testSet.images, testSet.labels, xTrain, xTest]) t.dispose();
  return { denseAccuracy: round(denseAccuracy), results };
}
