/** A small seeded MLP built from core ops (matmul, add, relu, logSoftmax, gather), trained with plain SGD. */
import { manualSeed, noGrad, randn, tensor, tidy, type Tensor } from '@tessera/core';
import type { DType } from '@tessera/core/backend';

/** Sizes of the test MLP. */
export interface MlpSizes {
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
  readonly batch: number;
}

/** Deterministic inputs and labels (host arrays, identical for every backend). */
function batchData(sizes: MlpSizes): { x: Float32Array; labels: Int32Array } {
  const x = new Float32Array(sizes.batch * sizes.inputs);
  let state = 12345;
  for (let i = 0; i < x.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    x[i] = state / 2 ** 31 - 1;
  }
  const labels = Int32Array.from({ length: sizes.batch }, (_, i) => (i * 7 + 3) % sizes.classes);
  return { x, labels };
}

/**
 * A trainer on `device`: weights from `randn` after `manualSeed(seed)` (the Philox stream, so the
 * same on every backend), one SGD step per `step()`, returning the loss before the update.
 * `dtype` is the dtype of the weights and inputs (float16: the float32 draws rounded to half).
 */
export function createMlp(device: string, sizes: MlpSizes, seed = 7, lr = 0.1, dtype: DType = 'float32') {
  manualSeed(seed);
  const scale1 = 1 / Math.sqrt(sizes.inputs);
  const scale2 = 1 / Math.sqrt(sizes.hidden);
  const params: Tensor[] = tidy(() => [
    randn([sizes.inputs, sizes.hidden], { device, dtype }).mul(scale1),
    randn([sizes.hidden], { device, dtype }).mul(0.1),
    randn([sizes.hidden, sizes.classes], { device, dtype }).mul(scale2),
    randn([sizes.classes], { device, dtype }).mul(0.1),
  ]).map((t) => t.requiresGrad_());
  const { x: xData, labels: labelData } = batchData(sizes);
  const x = tensor(xData, { shape: [sizes.batch, sizes.inputs], device, dtype });
  const labels = tensor(labelData, { shape: [sizes.batch, 1], device });
  const [w1, b1, w2, b2] = params;
  return {
    params,
    async step(): Promise<number> {
      const loss = tidy(() => {
        const hidden = x.matmul(w1).add(b1).relu();
        const logProbs = hidden.matmul(w2).add(b2).logSoftmax(1);
        return logProbs.gather(1, labels).mean().neg();
      });
      loss.backward();
      const value = await loss.item();
      loss.dispose();
      noGrad(() =>
        tidy(() => {
          for (const p of params) p.assign(p.sub(p.grad!.mul(lr)));
        }),
      );
      for (const p of params) {
        p.grad!.dispose();
        p.grad = null;
      }
      return value;
    },
    dispose(): void {
      for (const p of params) p.dispose();
      x.dispose();
      labels.dispose();
    },
  };
}
