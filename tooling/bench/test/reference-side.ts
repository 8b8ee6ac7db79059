/**
 * A plain-loop implementation of the Side interface: the executable definition of what every
 * benchmark computes (including the MLP's forward, backward and SGD update), used to check the
 * real adapters and to exercise the runner without any framework.
 */
import { expect } from 'vitest';
import { maxRelativeDifference } from '../src/harness';
import type { Handle, MlpSetup, MlpTrainer, Side, SideName } from '../src/side';
import { mlpSetup } from '../src/suites/mlp';

interface Matrix {
  values: Float32Array;
  shape: number[];
}

const asMatrix = (handle: Handle): Matrix => handle as unknown as Matrix;
const asHandle = (matrix: Matrix): Handle => matrix as unknown as Handle;

/** The transpose of a row-major [rows, cols] matrix, row-major. */
export function transposedValues(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j];
  return out;
}

const transposed = ({ values, shape: [rows, cols] }: Matrix): Matrix => ({ values: transposedValues(values, rows, cols), shape: [cols, rows] });

export function referenceMatmul(a: Float32Array, b: Float32Array, rows: number, inner: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const aik = a[i * inner + k];
      for (let j = 0; j < cols; j++) out[i * cols + j] += aik * b[k * cols + j];
    }
  }
  return out;
}

export function referenceSoftmax(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[i * cols + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[i * cols + j] - max);
    for (let j = 0; j < cols; j++) out[i * cols + j] = Math.exp(x[i * cols + j] - max) / sum;
  }
  return out;
}

/** One SGD step of the benchmark MLP on copies of the weights; returns the loss before the update. */
export function referenceMlpStep(setup: MlpSetup, weights: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }): number {
  const { inputSize: n, hiddenSize: h, classes: c, batch: m, lr } = setup;
  const { w1, b1, w2, b2 } = weights;
  const pre = referenceMatmul(setup.x, w1, m, n, h);
  const hidden = new Float32Array(m * h);
  for (let i = 0; i < m * h; i++) hidden[i] = Math.max(0, pre[i] + b1[i % h]);
  const logits = referenceMatmul(hidden, w2, m, h, c);
  for (let i = 0; i < m * c; i++) logits[i] += b2[i % c];
  const probabilities = referenceSoftmax(logits, m, c);
  let loss = 0;
  const dLogits = new Float32Array(m * c);
  for (let i = 0; i < m * c; i++) {
    if (setup.yOneHot[i]) loss -= Math.log(probabilities[i]) / m;
    dLogits[i] = (probabilities[i] - setup.yOneHot[i]) / m;
  }
  const dW2 = new Float32Array(h * c);
  const dB2 = new Float32Array(c);
  const dHidden = new Float32Array(m * h);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < c; k++) {
      const g = dLogits[i * c + k];
      dB2[k] += g;
      for (let j = 0; j < h; j++) {
        dW2[j * c + k] += hidden[i * h + j] * g;
        dHidden[i * h + j] += w2[j * c + k] * g;
      }
    }
  }
  const dW1 = new Float32Array(n * h);
  const dB1 = new Float32Array(h);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < h; j++) {
      const g = hidden[i * h + j] > 0 ? dHidden[i * h + j] : 0;
      if (g === 0) continue;
      dB1[j] += g;
      for (let k = 0; k < n; k++) dW1[k * h + j] += setup.x[i * n + k] * g;
    }
  }
  const update = (parameter: Float32Array, gradient: Float32Array): void => {
    for (let i = 0; i < parameter.length; i++) parameter[i] -= lr * gradient[i];
  };
  update(w1, dW1);
  update(b1, dB1);
  update(w2, dW2);
  update(b2, dB2);
  return loss;
}

/** The reference side. `name` defaults to tessera-cpu so the runner computes ratios against it. */
export class ReferenceSide implements Side {
  readonly description = 'plain loops (test reference)';
  live = 0;
  activations = 0;

  constructor(readonly name: SideName = 'tessera-cpu') {}

  async activate(): Promise<void> {
    this.activations++;
  }

  private make(values: Float32Array, shape: number[]): Handle {
    this.live++;
    return asHandle({ values, shape });
  }

  fromArray(values: Float32Array, shape: number[]): Handle {
    return this.make(Float32Array.from(values), [...shape]);
  }

  matmul(a: Handle, b: Handle, transposeA = false, transposeB = false): Handle {
    const left = transposeA ? transposed(asMatrix(a)) : asMatrix(a);
    const right = transposeB ? transposed(asMatrix(b)) : asMatrix(b);
    const [rows, inner] = left.shape;
    const cols = right.shape[1];
    return this.make(referenceMatmul(left.values, right.values, rows, inner, cols), [rows, cols]);
  }

  add(a: Handle, b: Handle): Handle {
    const left = asMatrix(a).values;
    const right = asMatrix(b).values;
    return this.make(left.map((value, index) => value + right[index]), asMatrix(a).shape);
  }

  softmax(x: Handle): Handle {
    const { values, shape } = asMatrix(x);
    return this.make(referenceSoftmax(values, shape[0], shape[1]), shape);
  }

  async read(handle: Handle): Promise<Float32Array> {
    return asMatrix(handle).values;
  }

  dispose(): void {
    this.live--;
  }

  liveTensors(): number {
    return this.live;
  }

  createMlp(setup: MlpSetup, _options?: { fused?: boolean }): MlpTrainer {
    const weights = { w1: setup.w1.slice(), b1: setup.b1.slice(), w2: setup.w2.slice(), b2: setup.b2.slice() };
    return {
      step: async () => referenceMlpStep(setup, weights),
      readB2: async () => weights.b2.slice(),
      dispose: () => undefined,
    };
  }
}

/**
 * Train `side`'s MLP (plain or fused) for three steps beside {@link referenceMlpStep}: every loss and
 * the final second-layer bias must match, and no tensor may leak.
 * @example await expectTrainsLikeReference(side, { fused: true });
 */
export async function expectTrainsLikeReference(side: Side, options: { fused?: boolean } = {}): Promise<void> {
  const setup = mlpSetup(20, 8, 4, 6);
  const before = side.liveTensors();
  const trainer = side.createMlp(setup, options);
  const weights = { w1: setup.w1.slice(), b1: setup.b1.slice(), w2: setup.w2.slice(), b2: setup.b2.slice() };
  for (let step = 0; step < 3; step++) {
    const expectedLoss = referenceMlpStep(setup, weights);
    expect(await trainer.step()).toBeCloseTo(expectedLoss, 5);
  }
  expect(maxRelativeDifference(await trainer.readB2(), weights.b2)).toBeLessThan(1e-5);
  trainer.dispose();
  expect(side.liveTensors()).toBe(before);
}

