/**
 * TensorFlow.js sides: the pure-JS `cpu` backend and the `wasm` backend (XNNPACK), loaded from
 * node_modules so nothing is fetched over the network. `@tensorflow/tfjs-node` (native TensorFlow)
 * is deliberately not used: the comparison is against what runs in a browser.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Handle, MlpSetup, MlpTrainer, Side, UnavailableSide } from './side';

type TfjsBackend = 'cpu' | 'wasm';

let configured = false;

/** One-time settings shared by both tfjs sides (tfjs has a single global engine). */
function configureTfjs(): void {
  if (configured) return;
  configured = true;
  // Production mode skips debug checks and the "install tfjs-node" banner.
  tf.enableProdMode();
  const require = createRequire(import.meta.url);
  const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  // The prefix form makes the backend pick tfjs-backend-wasm{,-simd,-threaded-simd}.wasm from this folder.
  setWasmPaths(`${wasmDir}${path.sep}`);
  // Node has no SharedArrayBuffer-based pthread pool for this build: use the single-threaded binary.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setThreadsCount(1);
}

/**
 * Create the requested tfjs sides; a backend that fails to start is reported, not thrown.
 * @example const sides = await createTfjsSides(['cpu', 'wasm']);
 */
export async function createTfjsSides(backends: TfjsBackend[]): Promise<(Side | UnavailableSide)[]> {
  configureTfjs();
  const sides: (Side | UnavailableSide)[] = [];
  for (const backend of backends) {
    const name = backend === 'cpu' ? 'tfjs-cpu' : 'tfjs-wasm';
    try {
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
      sides.push(new TfjsSide(backend, describe(backend)));
    } catch (error) {
      sides.push({ name, unavailable: `tfjs ${backend} backend failed to start: ${(error as Error).message}` });
    }
  }
  return sides;
}

function describe(backend: TfjsBackend): string {
  if (backend === 'cpu') return `@tensorflow/tfjs ${tf.version.tfjs}, cpu backend (plain JS)`;
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
  return `@tensorflow/tfjs-backend-wasm ${tf.version.tfjs}, ${simd}, ${getThreadsCount()} thread(s)`;
}

const asTensor = (handle: Handle): tf.Tensor => handle as unknown as tf.Tensor;
const asHandle = (tensor: tf.Tensor): Handle => tensor as unknown as Handle;

class TfjsSide implements Side {
  readonly name;

  constructor(
    private readonly backend: TfjsBackend,
    readonly description: string,
  ) {
    this.name = backend === 'cpu' ? ('tfjs-cpu' as const) : ('tfjs-wasm' as const);
  }

  async activate(): Promise<void> {
    if (tf.getBackend() !== this.backend) await tf.setBackend(this.backend);
  }

  fromArray(values: Float32Array, shape: number[]): Handle {
    return asHandle(tf.tensor(values, shape, 'float32'));
  }

  matmul(a: Handle, b: Handle, transposeA = false, transposeB = false): Handle {
    return asHandle(tf.matMul(asTensor(a), asTensor(b), transposeA, transposeB));
  }

  add(a: Handle, b: Handle): Handle {
    return asHandle(tf.add(asTensor(a), asTensor(b)));
  }

  softmax(x: Handle): Handle {
    return asHandle(tf.softmax(asTensor(x), -1));
  }

  async read(handle: Handle): Promise<Float32Array> {
    return (await asTensor(handle).data()) as Float32Array;
  }

  dispose(handle: Handle): void {
    asTensor(handle).dispose();
  }

  liveTensors(): number {
    return tf.memory().numTensors;
  }

  createMlp(setup: MlpSetup, options: { fused?: boolean } = {}): MlpTrainer {
    const { inputSize, hiddenSize, classes, batch } = setup;
    // tf.variable copies its initial value: tidy disposes the temporaries and keeps the variables.
    const [w1, b1, w2, b2] = tf.tidy(() => [
      tf.variable(tf.tensor2d(setup.w1, [inputSize, hiddenSize])),
      tf.variable(tf.tensor1d(setup.b1)),
      tf.variable(tf.tensor2d(setup.w2, [hiddenSize, classes])),
      tf.variable(tf.tensor1d(setup.b2)),
    ]);
    const x = tf.tensor2d(setup.x, [batch, inputSize]);
    const y = tf.tensor2d(setup.yOneHot, [batch, classes]);
    const optimizer = tf.train.sgd(setup.lr);
    const variables = [w1, b1, w2, b2];
    // Same math as the Tessera side: mean over the batch of −Σ onehot · logSoftmax(logits).
    const lossFn = (): tf.Scalar => {
      const hidden = options.fused ? tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' }) : tf.relu(tf.add(tf.matMul(x, w1), b1));
      const logits = options.fused ? tf.fused.matMul({ a: hidden, b: w2, bias: b2 }) : tf.add(tf.matMul(hidden, w2), b2);
      return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits, -1), y))), batch) as tf.Scalar;
    };
    return {
      async step(): Promise<number> {
        const loss = optimizer.minimize(lossFn, true, variables)!;
        const value = (await loss.data())[0];
        loss.dispose();
        await b2.data(); // the last parameter updated: its read waits for the whole update
        return value;
      },
      async readB2(): Promise<Float32Array> {
        return (await b2.data()) as Float32Array;
      },
      dispose(): void {
        for (const tensor of [...variables, x, y]) tensor.dispose();
        optimizer.dispose();
      },
    };
  }
}
