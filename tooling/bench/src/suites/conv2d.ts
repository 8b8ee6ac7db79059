/**
 * conv2d forward + backward: batch 32, 3×32×32 → 16 channels, 3×3 kernel, padding 1, with bias.
 * One run = forward, loss = Σ y ⊙ g for a fixed upstream gradient g, and the gradients of x, the
 * kernel and the bias; reported in ms per step.
 *
 * The {@link Side} adapter has no conv2d, so this suite calls each framework's public API directly
 * (Tessera: `conv2d` + `backward()` from @tessera/core; tfjs: `tf.conv2d` under `tf.grads`, NHWC as
 * tfjs expects — the same numbers, transposed). The cross-check compares the loss and the squared
 * norms of the three gradients, which do not depend on layout.
 */
import { lazy, normalData, preparedFromStep } from '../harness';
import type { Side } from '../side';
import type { BenchmarkCase } from './suite';

const [BATCH, CHANNELS, SIZE, OUT, KERNEL] = [32, 3, 32, 16, 3];

interface ConvData { x: Float32Array; w: Float32Array; b: Float32Array; g: Float32Array }

/** NCHW → NHWC (or OIHW → HWIO with the same permutation logic applied by the caller). */
function permute4(values: Float32Array, shape: readonly number[], order: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  const strides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const outShape = order.map((dim) => shape[dim]);
  let write = 0;
  for (let a = 0; a < outShape[0]; a++)
    for (let b = 0; b < outShape[1]; b++)
      for (let c = 0; c < outShape[2]; c++)
        for (let d = 0; d < outShape[3]; d++) {
          const index = [a, b, c, d];
          let read = 0;
          for (let k = 0; k < 4; k++) read += index[k] * strides[order[k]];
          out[write++] = values[read];
        }
  return out;
}

type Step = () => Promise<Float32Array>;

interface TesseraConvApi {
  tensor(data: Float32Array): { reshape(shape: number[]): TesseraT };
  conv2d(x: TesseraT, w: TesseraT, b: TesseraT, options: { padding: number }): TesseraT;
  tidy<T>(fn: () => T): T;
  noGrad<T>(fn: () => T): T;
}
interface TesseraT {
  requiresGrad: boolean;
  grad: TesseraT | null;
  mul(other: TesseraT): TesseraT;
  sum(): TesseraT;
  backward(): void;
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}

async function tesseraStep(data: ConvData): Promise<{ step: Step; dispose(): void }> {
  const core = (await import('@tessera/core')) as unknown as TesseraConvApi;
  const make = (values: Float32Array, shape: number[]): TesseraT => core.noGrad(() => core.tidy(() => core.tensor(values).reshape(shape)));
  const x = make(data.x, [BATCH, CHANNELS, SIZE, SIZE]);
  const w = make(data.w, [OUT, CHANNELS, KERNEL, KERNEL]);
  const b = make(data.b, [OUT]);
  const g = make(data.g, [BATCH, OUT, SIZE, SIZE]);
  for (const t of [x, w, b]) t.requiresGrad = true;
  return {
    async step() {
      const loss = core.tidy(() => core.conv2d(x, w, b, { padding: 1 }).mul(g).sum());
      loss.backward();
      const squares = core.noGrad(() => core.tidy(() => [x, w, b].map((t) => t.grad!.mul(t.grad!).sum())));
      const values = Float32Array.from([(await loss.data())[0], ...(await Promise.all(squares.map(async (s) => (await s.data())[0])))]);
      for (const t of [loss, ...squares]) t.dispose();
      for (const t of [x, w, b]) {
        t.grad!.dispose();
        t.grad = null;
      }
      return values;
    },
    dispose() {
      for (const t of [x, w, b, g]) t.dispose();
    },
  };
}

async function tfjsStep(data: ConvData): Promise<{ step: Step; dispose(): void }> {
  const tf = await import('@tensorflow/tfjs');
  const x = tf.tensor4d(permute4(data.x, [BATCH, CHANNELS, SIZE, SIZE], [0, 2, 3, 1]), [BATCH, SIZE, SIZE, CHANNELS]);
  const w = tf.tensor4d(permute4(data.w, [OUT, CHANNELS, KERNEL, KERNEL], [2, 3, 1, 0]), [KERNEL, KERNEL, CHANNELS, OUT]);
  const b = tf.tensor1d(data.b);
  const g = tf.tensor4d(permute4(data.g, [BATCH, OUT, SIZE, SIZE], [0, 2, 3, 1]), [BATCH, SIZE, SIZE, OUT]);
  const lossOf = (xs: typeof x, ws: typeof w, bs: typeof b) => tf.sum(tf.mul(tf.add(tf.conv2d(xs, ws, 1, 'same'), bs), g));
  // tfjs-wasm has no Conv2DBackpropFilter kernel, so there the gradients are written out: dx with
  // conv2dTranspose (Conv2DBackpropInput), dw as Σ over the 9 taps of shifted-input^T · g (matmuls), db = Σ g.
  const manualGradients = () => {
    const dx = tf.conv2dTranspose(g, w, [BATCH, SIZE, SIZE, CHANNELS], 1, 'same');
    const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const flatG = g.reshape([BATCH * SIZE * SIZE, OUT]);
    const taps: ReturnType<typeof tf.matMul>[] = [];
    for (let kh = 0; kh < KERNEL; kh++) {
      for (let kw = 0; kw < KERNEL; kw++) {
        const shifted = tf.slice(padded, [0, kh, kw, 0], [BATCH, SIZE, SIZE, CHANNELS]).reshape([BATCH * SIZE * SIZE, CHANNELS]);
        taps.push(tf.matMul(shifted, flatG, true, false));
      }
    }
    const dw = tf.stack(taps).reshape([KERNEL, KERNEL, CHANNELS, OUT]);
    return [dx, dw, tf.sum(g, [0, 1, 2])];
  };
  const autoGradients = tf.grads((xs, ws, bs) => lossOf(xs as typeof x, ws as typeof w, bs as typeof b));
  const gradients = () => (tf.getBackend() === 'wasm' ? manualGradients() : autoGradients([x, w, b]));
  return {
    async step() {
      const [loss, ...squares] = tf.tidy(() => {
        const grads = gradients();
        return [lossOf(x, w, b), ...grads.map((grad) => tf.sum(tf.mul(grad, grad)))];
      });
      const values = Float32Array.from(await Promise.all([loss, ...squares].map(async (t) => (await t.data())[0])));
      for (const t of [loss, ...squares]) t.dispose();
      return values;
    },
    dispose() {
      for (const t of [x, w, b, g]) t.dispose();
    },
  };
}

/**
 * The conv2d forward + backward case.
 * @example conv2dCase().id // 'conv2d-train-step'
 */
export function conv2dCase(): BenchmarkCase {
  const data = lazy<ConvData>(() => ({
    x: normalData(BATCH * CHANNELS * SIZE * SIZE, 71),
    w: normalData(OUT * CHANNELS * KERNEL * KERNEL, 72, 0.2),
    b: normalData(OUT, 73),
    g: normalData(BATCH * OUT * SIZE * SIZE, 74),
  }));
  return {
    id: 'conv2d-train-step',
    suite: 'conv2d',
    label: `conv2d ${BATCH}×${CHANNELS}×${SIZE}×${SIZE} → ${OUT}, 3×3 pad 1, fwd+bwd`,
    unit: 'ms',
    opsPerRun: 1,
    tolerance: 1e-3,
    checkDescription: 'loss and squared norms of dx, dw, db',
    async prepare(side: Side) {
      if (side.name === 'tfjs-cpu' || side.name === 'tfjs-wasm') await side.activate();
      const run = side.name === 'tessera-cpu' ? await tesseraStep(data()) : await tfjsStep(data());
      return preparedFromStep(run);
    },
  };
}
