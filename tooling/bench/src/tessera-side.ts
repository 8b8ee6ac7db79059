/**
 * The Tessera side: `@tessera/core` on the `cpu` backend, through the public API of
 * ARCHITECTURE.md §4 only.
 *
 * Core is loaded with a dynamic import and checked against {@link TesseraCore}, the subset of the
 * contract the benchmarks use, so a core build that lacks something is reported by name and the
 * tfjs columns still run.
 */
import type { Handle, MlpSetup, MlpTrainer, Side, UnavailableSide } from './side';

/** The part of the Tensor contract the benchmarks use. */
interface TesseraTensor {
  readonly shape: readonly number[];
  requiresGrad: boolean;
  grad: TesseraTensor | null;
  add(other: TesseraTensor | number): TesseraTensor;
  sub(other: TesseraTensor | number): TesseraTensor;
  mul(other: TesseraTensor | number): TesseraTensor;
  div(other: TesseraTensor | number): TesseraTensor;
  neg(): TesseraTensor;
  relu(): TesseraTensor;
  sum(dim?: number | number[], keepdim?: boolean): TesseraTensor;
  matmul(other: TesseraTensor): TesseraTensor;
  softmax(dim?: number): TesseraTensor;
  logSoftmax(dim?: number): TesseraTensor;
  reshape(shape: number[]): TesseraTensor;
  transpose(dim0: number, dim1: number): TesseraTensor;
  backward(): void;
  assign(value: TesseraTensor | number): TesseraTensor;
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}

/** The part of `@tessera/core`'s exports the benchmarks use. */
interface TesseraCore {
  tensor(data: Float32Array, options?: { dtype?: 'float32'; requiresGrad?: boolean }): TesseraTensor;
  tidy<T>(fn: () => T): T;
  noGrad<T>(fn: () => T): T;
  setBackend(name: string): Promise<void>;
  memory?(): { liveTensors?: number; numTensors?: number; tensors?: number } & Record<string, unknown>;
  /** For the fused MLP variant (checked when it is created). */
  fusedMatmul?(a: TesseraTensor, b: TesseraTensor, options: { bias?: TesseraTensor | null; activation?: 'none' | 'relu' }): TesseraTensor;
  sgdStep?(param: TesseraTensor, grad: TesseraTensor, momentumBuffer: null, options: { lr: number }): void;
}

const REQUIRED_FUNCTIONS = ['tensor', 'tidy', 'noGrad', 'setBackend'] as const;
const REQUIRED_METHODS = [
  'add', 'sub', 'mul', 'div', 'neg', 'relu', 'sum', 'matmul', 'softmax', 'logSoftmax', 'reshape',
  'transpose', 'backward', 'assign', 'data', 'dispose',
] as const;

/**
 * Load `@tessera/core` and `@tessera/backend-cpu`, select `cpu`, and check the contract.
 * Resolves with the side, or with the reason it is unavailable (naming what is missing).
 * @example const side = await createTesseraSide();
 */
export async function createTesseraSide(): Promise<Side | UnavailableSide> {
  const name = 'tessera-cpu' as const;
  let core: Record<string, unknown>;
  try {
    core = (await import('@tessera/core')) as Record<string, unknown>;
    await import('@tessera/backend-cpu'); // registers the 'cpu' backend on import
  } catch (error) {
    return { name, unavailable: `could not load @tessera/core + @tessera/backend-cpu (built?): ${(error as Error).message}` };
  }
  const missing = REQUIRED_FUNCTIONS.filter((fn) => typeof core[fn] !== 'function');
  if (missing.length > 0) {
    return { name, unavailable: `@tessera/core does not export ${missing.join(', ')}` };
  }
  const api = core as unknown as TesseraCore;
  try {
    await api.setBackend('cpu');
    const probe = api.tensor(new Float32Array([1, 2]));
    const missingMethods = REQUIRED_METHODS.filter((method) => typeof (probe as unknown as Record<string, unknown>)[method] !== 'function');
    probe.dispose();
    if (missingMethods.length > 0) {
      return { name, unavailable: `Tensor lacks ${missingMethods.map((method) => `${method}()`).join(', ')}` };
    }
  } catch (error) {
    return { name, unavailable: `cpu backend failed to start: ${(error as Error).message}` };
  }
  return new TesseraSide(api, await describe(backendSummary(core)));
}

/** What the cpu backend actually runs with (WebAssembly SIMD, relaxed SIMD, threads), from its `config`. */
function backendSummary(core: Record<string, unknown>): string {
  const resolve = core.resolveBackend as ((name: string) => { config?: { simd?: boolean; relaxedSimd?: boolean; threads?: number } }) | undefined;
  const config = resolve?.('cpu').config;
  if (!config) return 'cpu backend';
  const kernels = config.simd ? `WebAssembly SIMD${config.relaxedSimd ? ' + relaxed FMA' : ''}` : 'plain JS';
  return `cpu backend (${kernels}, ${config.threads ?? 1} thread(s))`;
}

async function describe(backend: string): Promise<string> {
  try {
    // core's exports map does not expose package.json: find it beside the resolved entry point.
    const [{ createRequire }, { readFile }, path] = await Promise.all([import('node:module'), import('node:fs/promises'), import('node:path')]);
    const entry = createRequire(import.meta.url).resolve('@tessera/core');
    const manifest = path.join(path.dirname(entry), '..', 'package.json');
    const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    return `@tessera/core ${version}, ${backend}`;
  } catch {
    return `@tessera/core, ${backend}`;
  }
}

const asTensor = (handle: Handle): TesseraTensor => handle as unknown as TesseraTensor;
const asHandle = (tensor: TesseraTensor): Handle => tensor as unknown as Handle;

class TesseraSide implements Side {
  readonly name = 'tessera-cpu' as const;
  private created = 0;
  private disposed = 0;

  constructor(
    private readonly core: TesseraCore,
    readonly description: string,
  ) {}

  async activate(): Promise<void> {
    // setBackend affects new tensors only; inputs were made on cpu, so nothing to do per round.
  }

  /** A [shape] float32 tensor from flat values: reshape of a 1-D tensor, intermediates tidied away. */
  private make(values: Float32Array, shape: number[]): TesseraTensor {
    return this.core.noGrad(() => this.core.tidy(() => this.core.tensor(values).reshape(shape)));
  }

  fromArray(values: Float32Array, shape: number[]): Handle {
    this.created++;
    return asHandle(this.make(values, shape));
  }

  matmul(a: Handle, b: Handle, transposeA = false, transposeB = false): Handle {
    this.created++;
    // A transposed operand is a strided view (no copy); the backend reads it with swapped strides.
    return this.core.tidy(() => {
      const left = transposeA ? asTensor(a).transpose(0, 1) : asTensor(a);
      const right = transposeB ? asTensor(b).transpose(0, 1) : asTensor(b);
      return asHandle(left.matmul(right));
    });
  }

  add(a: Handle, b: Handle): Handle {
    this.created++;
    return asHandle(asTensor(a).add(asTensor(b)));
  }

  softmax(x: Handle): Handle {
    this.created++;
    return asHandle(asTensor(x).softmax(-1));
  }

  async read(handle: Handle): Promise<Float32Array> {
    const values = await asTensor(handle).data();
    return values instanceof Float32Array ? values : Float32Array.from(values);
  }

  dispose(handle: Handle): void {
    this.disposed++;
    asTensor(handle).dispose();
  }

  liveTensors(): number {
    const stats = this.core.memory?.();
    const live = stats?.liveTensors ?? stats?.numTensors ?? stats?.tensors;
    // Fall back to the handles this adapter made and released when memory() has no count.
    return typeof live === 'number' ? live : this.created - this.disposed;
  }

  createMlp(setup: MlpSetup, options: { fused?: boolean } = {}): MlpTrainer {
    const { core } = this;
    const { fusedMatmul, sgdStep } = core;
    const fused = options.fused === true;
    if (fused && (!fusedMatmul || !sgdStep)) throw new Error('the fused MLP needs @tessera/core fusedMatmul and sgdStep');
    const { inputSize, hiddenSize, classes, batch, lr } = setup;
    const parameter = (values: Float32Array, shape: number[]): TesseraTensor => {
      const tensor = this.make(values, shape);
      tensor.requiresGrad = true;
      return tensor;
    };
    const w1 = parameter(setup.w1, [inputSize, hiddenSize]);
    const b1 = parameter(setup.b1, [hiddenSize]);
    const w2 = parameter(setup.w2, [hiddenSize, classes]);
    const b2 = parameter(setup.b2, [classes]);
    const x = this.make(setup.x, [batch, inputSize]);
    const y = this.make(setup.yOneHot, [batch, classes]);
    const parameters = [w1, b1, w2, b2];

    return {
      async step(): Promise<number> {
        // Same math as the tfjs side: mean over the batch of −Σ onehot · logSoftmax(logits).
        const loss = core.tidy(() => {
          const hidden = fused ? fusedMatmul!(x, w1, { bias: b1, activation: 'relu' }) : x.matmul(w1).add(b1).relu();
          const logits = fused ? fusedMatmul!(hidden, w2, { bias: b2 }) : hidden.matmul(w2).add(b2);
          return logits.logSoftmax(-1).mul(y).sum().neg().div(batch);
        });
        loss.backward();
        if (fused) {
          // The optimizer's update: one fused kernel per parameter (what @tessera/optim's SGD runs).
          for (const parameter of parameters) sgdStep!(parameter, parameter.grad!, null, { lr });
        } else {
          core.noGrad(() =>
            core.tidy(() => {
              for (const parameter of parameters) parameter.assign(parameter.sub(parameter.grad!.mul(lr)));
            }),
          );
        }
        for (const parameter of parameters) {
          parameter.grad?.dispose(); // zero_grad(set_to_none=True)
          parameter.grad = null;
        }
        const value = (await loss.data())[0];
        loss.dispose();
        await b2.data(); // the last parameter updated: its read waits for the whole update
        return value;
      },
      async readB2(): Promise<Float32Array> {
        return Float32Array.from(await b2.data());
      },
      dispose(): void {
        for (const tensor of [...parameters, x, y]) tensor.dispose();
      },
    };
  }
}
