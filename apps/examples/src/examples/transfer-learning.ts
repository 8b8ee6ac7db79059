/**
 * transfer-learning: a small CNN pre-trained on Fashion-MNIST classes 0–4 (T-shirt, trouser, pullover,
 * dress, coat) is reused for classes 5–9 (sandal, shirt, sneaker, bag, ankle boot) in the course's four cases:
 *
 * 1. small data set, similar data — keep the whole network, freeze it, train a new output layer;
 * 2. small data set, different data — keep only the early (edge-detecting) layer, frozen, plus a new output layer;
 * 3. large data set, similar data — replace the output layer and fine-tune every weight;
 * 4. large data set, different data — retrain from scratch with random weights.
 *
 * The network: conv 1→8 (3 × 3) → ReLU → max-pool → conv 8→16 → ReLU → max-pool → fc 784→64 → ReLU → fc 64→5.
 */
import { manualSeed, tensor, type Tensor } from '@tessera/core';
import { DataLoader, TensorDataset, loadFashionMNIST } from '@tessera/data';
import { Conv2d, F, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, fit } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { evaluateAccuracy, printer, round, table, type ExampleOptions } from '../common';

/** The demonstration CNN: an early block, a later block, a fully connected layer and the output layer. */
class SmallCNN extends Module {
  readonly block1 = new Sequential(new Conv2d(1, 8, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2)); // edges
  readonly block2 = new Sequential(new Conv2d(8, 16, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2)); // shapes
  readonly fc = new Sequential(new Flatten(), new Linear(16 * 7 * 7, 64), new ReLU()); // higher-level features
  head = new Linear(64, 5);

  forward(x: Tensor): Tensor {
    return this.head.forward(this.fc.forward(this.block2.forward(this.block1.forward(x))));
  }
}

/** Case 2's network: the pre-trained early block only, and a new output layer on its features. */
class EarlyLayersOnly extends Module {
  constructor(
    readonly block1: Sequential,
    readonly head = new Sequential(new MaxPool2d(2), new Flatten(), new Linear(8 * 7 * 7, 5)),
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.head.forward(this.block1.forward(x));
  }
}

/** Images of the given classes (labels shifted to start at 0), at most `limit`. */
async function selectClasses(images: Tensor, labels: Tensor, classes: number[], limit: number): Promise<[Tensor, Tensor]> {
  const values = await labels.data();
  const picked: number[] = [];
  for (let i = 0; i < values.length && picked.length < limit; i++) if (classes.includes(Number(values[i]))) picked.push(i);
  const index = tensor(picked, { dtype: 'int32' });
  const x = images.indexSelect(0, index);
  const y = tensor(picked.map((i) => Number(values[i]) - classes[0]), { dtype: 'int32' });
  index.dispose();
  return [x, y];
}

async function train(model: Module, data: [Tensor, Tensor], epochs: number, lr: number) {
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  const optimizer = new Adam(trainable, { lr });
  const history = await fit(model, {
    train: new DataLoader(new TensorDataset(...data), { batchSize: 64, shuffle: true, seed: 0 }),
    loss: (logits, labels) => F.crossEntropy(logits, labels),
    optimizer,
    epochs,
  });
  optimizer.dispose();
  return { history, trainable: trainable.reduce((sum, p) => sum + p.size, 0) };
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const sizes = quick ? { pretrain: 1500, small: 100, large: 600, test: 500, pretrainEpochs: 1, smallEpochs: 5, largeEpochs: 1 } : { pretrain: 12000, small: 250, large: 6000, test: 2000, pretrainEpochs: 3, smallEpochs: 15, largeEpochs: 3 };
  manualSeed(0);
  const trainSet = await loadFashionMNIST({ split: 'train', images: true, limit: quick ? 6000 : undefined });
  const testSet = await loadFashionMNIST({ split: 'test', images: true, limit: quick ? 2000 : undefined });
  const original = await selectClasses(trainSet.images, trainSet.labels, [0, 1, 2, 3, 4], sizes.pretrain);
  const small = await selectClasses(trainSet.images, trainSet.labels, [5, 6, 7, 8, 9], sizes.small);
  const large = await selectClasses(trainSet.images, trainSet.labels, [5, 6, 7, 8, 9], sizes.large);
  const test = await selectClasses(testSet.images, testSet.labels, [5, 6, 7, 8, 9], sizes.test);
  const originalTest = await selectClasses(testSet.images, testSet.labels, [0, 1, 2, 3, 4], sizes.test);
  for (const t of [trainSet.images, trainSet.labels, testSet.images, testSet.labels]) t.dispose();

  print(`Pre-training the CNN on ${sizes.pretrain} images of classes 0–4 (${sizes.pretrainEpochs} epochs)…`);
  const pretrained = new SmallCNN();
  const pre = await train(pretrained, original, sizes.pretrainEpochs, 2e-3);
  const pretrainedAccuracy = await evaluateAccuracy(pretrained, ...originalTest);
  print(`  ${pre.history.secondsPerEpoch.toFixed(1)} s per epoch; accuracy on held-out classes 0–4: ${pretrainedAccuracy.toFixed(4)}`);
  const weights = pretrained.stateDict();

  /** A copy of the pre-trained network with a fresh, randomly initialised output layer. */
  const reused = () => {
    const model = new SmallCNN();
    const { missingKeys } = model.loadStateDict(Object.fromEntries(Object.entries(weights).filter(([name]) => !name.startsWith('head.'))), { strict: false }) as { missingKeys: string[] };
    if (missingKeys.some((name) => !name.startsWith('head.'))) throw new Error(`transfer-learning: missing ${missingKeys.join(', ')}`);
    return model;
  };

  const cases: { name: string; data: string; strategy: string; build: () => Module; data_: [Tensor, Tensor]; epochs: number }[] = [
    { name: '1', data: `small (${sizes.small}), similar`, strategy: 'new output layer on the frozen network', epochs: sizes.smallEpochs, data_: small, build: () => {
      const model = reused();
      model.freeze();
      model.head.unfreeze();
      return model;
    } },
    { name: '2', data: `small (${sizes.small}), different`, strategy: 'frozen early layer + new output layer', epochs: sizes.smallEpochs, data_: small, build: () => {
      const model = reused();
      model.block1.freeze();
      // Slice off the later layers: only block1 is kept (the EarlyLayersOnly model shares its weights).
      for (const later of [model.block2, model.fc, model.head]) later.dispose();
      return new EarlyLayersOnly(model.block1);
    } },
    { name: '3', data: `large (${sizes.large}), similar`, strategy: 'new output layer, fine-tune everything', epochs: sizes.largeEpochs, data_: large, build: () => reused() },
    { name: '4', data: `large (${sizes.large}), different`, strategy: 'retrain from scratch (random weights)', epochs: sizes.largeEpochs, data_: large, build: () => new SmallCNN() },
  ];
  const rows: (string | number)[][] = [];
  const results: Record<string, { accuracy: number; trainable: number; secondsPerEpoch: number }> = {};
  for (const entry of cases) {
    manualSeed(1);
    const model = entry.build();
    const { history, trainable } = await train(model, entry.data_, entry.epochs, 2e-3);
    const accuracy = await evaluateAccuracy(model, ...test);
    results[`case${entry.name}`] = { accuracy, trainable, secondsPerEpoch: history.secondsPerEpoch };
    rows.push([entry.name, entry.data, entry.strategy, String(trainable), String(entry.epochs), accuracy]);
    print(`  case ${entry.name} done: test accuracy ${accuracy.toFixed(4)}`);
    model.dispose();
  }
  print(`\nClasses 5–9, test accuracy on ${test[0].shape[0]} held-out images:`);
  print(table(['case', 'new data set', 'strategy', 'trained weights', 'epochs', 'test accuracy'], rows));
  pretrained.dispose();
  for (const t of [...original, ...small, ...large, ...test, ...originalTest]) t.dispose();
  return {
    pretrainedAccuracy: round(pretrainedAccuracy),
    pretrainSecondsPerEpoch: round(pre.history.secondsPerEpoch, 2),
    ...Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { accuracy: round(r.accuracy), trainable: r.trainable }])),
  };
}
