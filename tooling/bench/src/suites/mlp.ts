/**
 * One training step of an MLP 784-256-10 (ReLU) on a batch of 128: forward, softmax cross-entropy
 * against one-hot targets (mean over the batch), backward, and a plain SGD update (lr 0.1) of all
 * four parameters in place. Reported in ms per step.
 */
import { lazy, normalData } from '../harness';
import type { MlpSetup } from '../side';
import type { BenchmarkCase } from './suite';

/**
 * Identical initial weights (He-scaled normal, zero biases) and batch for every side.
 * @example mlpSetup().w1.length // 784 · 256
 */
export function mlpSetup(inputSize = 784, hiddenSize = 256, classes = 10, batch = 128): MlpSetup {
  const labels = normalData(batch, 55).map((value) => Math.floor(Math.abs(value) * 1e4) % classes);
  const yOneHot = new Float32Array(batch * classes);
  labels.forEach((label, row) => (yOneHot[row * classes + label] = 1));
  return {
    inputSize,
    hiddenSize,
    classes,
    batch,
    lr: 0.1,
    w1: normalData(inputSize * hiddenSize, 51, Math.sqrt(2 / inputSize)),
    b1: new Float32Array(hiddenSize),
    w2: normalData(hiddenSize * classes, 52, Math.sqrt(2 / hiddenSize)),
    b2: new Float32Array(classes),
    x: normalData(batch * inputSize, 53),
    yOneHot,
  };
}

/**
 * The MLP training-step case; `fused` uses each framework's fused matmul + bias + activation op and
 * its SGD optimizer's update instead of separate ops. Its cross-check compares the first step's loss and the updated
 * second-layer bias across sides (same start, same math, so they must agree).
 * @example mlpCase().id // 'mlp-train-step'
 */
export function mlpCase(fused = false): BenchmarkCase {
  const setup = lazy(() => mlpSetup());
  return {
    id: fused ? 'mlp-train-step-fused' : 'mlp-train-step',
    suite: 'mlp',
    label: fused ? 'MLP 784-256-10 train step, batch 128, fused matmul+bias+ReLU, optimizer SGD' : 'MLP 784-256-10 train step, batch 128, SGD',
    unit: 'ms',
    opsPerRun: 1,
    tolerance: 1e-4,
    checkDescription: 'first-step loss and updated b2',
    async prepare(side) {
      const trainer = side.createMlp(setup(), { fused });
      let firstStep: Float32Array | undefined;
      return {
        async run() {
          await trainer.step();
        },
        async output() {
          // Only the first call sees the initial weights; timing runs after it keep training.
          if (!firstStep) {
            const loss = await trainer.step();
            firstStep = Float32Array.from([loss, ...(await trainer.readB2())]);
          }
          return firstStep;
        },
        dispose() {
          trainer.dispose();
        },
      };
    },
  };
}
