/**
 * The MLP 784-256-10 training step (batch 128, SGD lr 0.1) as a user writes it — `nn.Sequential` of
 * `Linear`, `ReLU`, `Linear`, `F.crossEntropy` on int32 labels, `optim.SGD` with `zeroGrad()`, `backward()`
 * and `step()` — against the same math through Tessera's raw fused ops (the `mlp-train-step-fused`
 * path: `fusedMatmul` with bias and ReLU, `sgdStep` per parameter) and PyTorch's own user-level step
 * (tooling/bench/pytorch/mlp_train_step.py, one thread, driven over a pipe). The user-level step
 * runs twice: plain, as a PyTorch user writes it (nothing disposed; the garbage collector frees the
 * activations), and inside `tidy`. Project target: within 10 % of the raw fused path.
 *
 * A library comparison (suite.ts): the implementations alternate run by run in one process. Each
 * timed run is {@link STEPS_PER_RUN} steps and reads the last loss back; the unit is ms per step.
 * Output check: every implementation's first step (loss and updated b2, from the same weights) must be
 * within 1e-4 (relative to |value| + 1) of a float64 host computation; the output is `[1]` when it is.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { lazy, maxRelativeDifference } from '../harness';
import type { MlpSetup } from '../side';
import { mlpSetup } from './mlp';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';

type Core = typeof import('@tessera/core');
type Nn = typeof import('@tessera/nn');
type Optim = typeof import('@tessera/optim');
type Tensor = import('@tessera/core').Tensor;

/** Steps per timed run: enough that one pipe round trip (PyTorch) or one gc is small beside the work. */
export const STEPS_PER_RUN = 20;
const TOLERANCE = 1e-4;
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
/** The PyTorch twin in tooling/bench/pytorch, found from the bundle (dist/) or the source (src/suites/). */
const SCRIPT = ['../pytorch/', '../../pytorch/']
  .map((folder) => fileURLToPath(new URL(`${folder}mlp_train_step.py`, import.meta.url)))
  .find((candidate) => existsSync(candidate)) ?? 'tooling/bench/pytorch/mlp_train_step.py';

const setup = lazy(() => mlpSetup());

/** The class index of each one-hot row. */
function labelsOf({ yOneHot, batch, classes }: MlpSetup): Int32Array {
  return Int32Array.from({ length: batch }, (_, row) => yOneHot.subarray(row * classes, (row + 1) * classes).indexOf(1));
}

/**
 * The first step's loss and updated b2 in float64 on the host: the loss is the mean of
 * −log softmax(relu(x·W1 + b1)·W2 + b2)[label], and b2 moves by −lr · Σ_rows (softmax − onehot) / batch.
 * @example firstStepReference(mlpSetup()).length // 1 + 10
 */
export function firstStepReference(s: MlpSetup): Float64Array {
  const { inputSize, hiddenSize, classes, batch, lr } = s;
  const labels = labelsOf(s);
  const hidden = new Float64Array(hiddenSize);
  const b2Gradient = new Float64Array(classes);
  let loss = 0;
  for (let row = 0; row < batch; row++) {
    hidden.set(s.b1);
    for (let k = 0; k < inputSize; k++) {
      const value = s.x[row * inputSize + k];
      if (value === 0) continue;
      const weights = k * hiddenSize;
      for (let j = 0; j < hiddenSize; j++) hidden[j] += value * s.w1[weights + j];
    }
    const logits = Array.from(s.b2, (bias, c) => {
      let sum = bias;
      for (let j = 0; j < hiddenSize; j++) sum += Math.max(hidden[j], 0) * s.w2[j * classes + c];
      return sum;
    });
    const top = Math.max(...logits);
    const normalizer = logits.reduce((sum, logit) => sum + Math.exp(logit - top), 0);
    loss -= logits[labels[row]] - top - Math.log(normalizer);
    logits.forEach((logit, c) => (b2Gradient[c] += (Math.exp(logit - top) / normalizer - (c === labels[row] ? 1 : 0)) / batch));
  }
  return Float64Array.from([loss / batch, ...Array.from(s.b2, (bias, c) => bias - lr * b2Gradient[c])]);
}

const reference = lazy(() => firstStepReference(setup()));

/** `[1]` when the first step matches the float64 reference, else `[0, deviation]` (the check then fails). */
function checkFirstStep(loss: number, b2: ArrayLike<number>): number[] {
  const deviation = maxRelativeDifference([loss, ...Array.from(b2)], reference());
  return deviation <= TOLERANCE ? [1] : [0, deviation];
}

async function loadTessera(): Promise<{ core: Core; nn: Nn; optim: Optim }> {
  const [core, nn, optim] = await Promise.all([import('@tessera/core'), import('@tessera/nn'), import('@tessera/optim')]);
  await import('@tessera/backend-cpu'); // registers 'cpu'
  await core.setBackend('cpu');
  return { core, nn, optim };
}

/** A training step that resolves with its loss; `prepare` turns it into a timed body. */
type Step = () => Promise<number>;

/** Check the first step against the reference, then time {@link STEPS_PER_RUN} steps per run. */
async function timedSteps(step: Step, b2: () => Promise<ArrayLike<number>>, dispose: () => void): Promise<PreparedImplementation> {
  const check = checkFirstStep(await step(), await b2());
  return {
    async run() {
      for (let index = 0; index < STEPS_PER_RUN; index++) await step();
    },
    output: () => check,
    dispose,
  };
}

/** Tessera at user level: Sequential + F.crossEntropy + optim.SGD, optionally with the step inside `tidy`. */
function userLevel(withTidy: boolean): Implementation {
  return {
    id: withTidy ? 'tessera-nn-tidy' : 'tessera-nn',
    name: `Tessera nn.Sequential + F.crossEntropy + optim.SGD${withTidy ? ', step inside tidy' : ''}`,
    packageName: '@tessera/nn',
    async prepare() {
      const { core, nn, optim } = await loadTessera();
      const s = setup();
      const { inputSize, hiddenSize, classes, batch, lr } = s;
      const first = new nn.Linear(inputSize, hiddenSize);
      const second = new nn.Linear(hiddenSize, classes);
      const model = new nn.Sequential(first, new nn.ReLU(), second);
      // The bench's weights are [in, out] (x·W); Linear keeps PyTorch's [out, in].
      core.noGrad(() =>
        core.tidy(() => {
          first.weight.assign(core.tensor(s.w1, { shape: [inputSize, hiddenSize] }).transpose(0, 1));
          first.bias!.assign(core.tensor(s.b1));
          second.weight.assign(core.tensor(s.w2, { shape: [hiddenSize, classes] }).transpose(0, 1));
          second.bias!.assign(core.tensor(s.b2));
        }),
      );
      const x = core.tensor(s.x, { shape: [batch, inputSize] });
      const labels = core.tensor(labelsOf(s), { dtype: 'int32' });
      const optimizer = new optim.SGD(model.parameters(), { lr });
      const trainStep = (): Tensor => {
        optimizer.zeroGrad();
        const loss = nn.F.crossEntropy(model.forward(x), labels);
        loss.backward();
        optimizer.step();
        return loss;
      };
      const step: Step = withTidy
        ? async () => {
            const loss = core.tidy(trainStep);
            const value = await loss.item();
            loss.dispose();
            return value;
          }
        : async () => trainStep().item(); // as in PyTorch: nothing disposed, the collector frees it
      return timedSteps(step, () => second.bias!.data(), () => {
        optimizer.dispose();
        for (const tensor of [...model.parameters(), x, labels]) tensor.dispose();
      });
    },
  };
}

/** Tessera's raw fused path: the `mlp-train-step-fused` step (fusedMatmul + bias (+ ReLU), sgdStep per parameter). */
function rawFused(): Implementation {
  return {
    id: 'tessera-fused',
    name: 'Tessera raw fused ops (fusedMatmul + sgdStep), as mlp-train-step-fused',
    packageName: '@tessera/core',
    async prepare() {
      const { core } = await loadTessera();
      const s = setup();
      const { inputSize, hiddenSize, classes, batch, lr } = s;
      const parameter = (values: Float32Array, shape: number[]): Tensor => core.tensor(values, { shape, requiresGrad: true });
      const w1 = parameter(s.w1, [inputSize, hiddenSize]);
      const b1 = parameter(s.b1, [hiddenSize]);
      const w2 = parameter(s.w2, [hiddenSize, classes]);
      const b2 = parameter(s.b2, [classes]);
      const x = core.tensor(s.x, { shape: [batch, inputSize] });
      const y = core.tensor(s.yOneHot, { shape: [batch, classes] });
      const parameters = [w1, b1, w2, b2];
      const step: Step = async () => {
        const loss = core.tidy(() => {
          const hidden = core.fusedMatmul(x, w1, { bias: b1, activation: 'relu' });
          const logits = core.fusedMatmul(hidden, w2, { bias: b2 });
          return logits.logSoftmax(-1).mul(y).sum().neg().div(batch);
        });
        loss.backward();
        for (const p of parameters) core.sgdStep(p, p.grad!, null, { lr });
        for (const p of parameters) {
          p.grad!.dispose();
          p.grad = null;
        }
        const value = await loss.item();
        loss.dispose();
        return value;
      };
      return timedSteps(step, () => b2.data(), () => {
        for (const tensor of [...parameters, x, y]) tensor.dispose();
      });
    },
  };
}

/** Whether `python` imports torch, or why not. */
function pytorchAvailable(): Promise<true | string> {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return Promise.resolve(`${PYTHON} did not start (${probe.error.message}); set BENCH_PYTHON to a Python with torch`);
  if (probe.status !== 0) return Promise.resolve(`${PYTHON} cannot import torch (${probe.stderr.trim().split('\n').pop()})`);
  return Promise.resolve(true);
}

/** One line from the child, or an error with its stderr when it exits first. */
function nextLine(lines: Interface, child: ChildProcessWithoutNullStreams, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      child.off('exit', onExit);
      resolve(line);
    };
    const onExit = (code: number | null): void => {
      lines.off('line', onLine);
      reject(new Error(`mlp_train_step.py exited (${code}): ${stderr().trim().split('\n').slice(-3).join(' | ')}`));
    };
    lines.once('line', onLine);
    child.once('exit', onExit);
  });
}

/**
 * PyTorch's user-level step in a child process that loads the same weights. A timed run sends
 * `run N` and waits for `done`: the N steps plus one pipe round trip (tens of µs against N steps of ms).
 */
function pytorch(): Implementation {
  return {
    id: 'pytorch',
    name: 'PyTorch nn.Sequential + F.cross_entropy + optim.SGD, 1 thread (pytorch/mlp_train_step.py)',
    available: pytorchAvailable,
    async prepare() {
      const s = setup();
      const directory = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-mlp-'));
      const files = { w1: s.w1, b1: s.b1, w2: s.w2, b2: s.b2, x: s.x, labels: labelsOf(s) };
      for (const [name, values] of Object.entries(files)) writeFileSync(path.join(directory, `${name}.bin`), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      const child = spawn(PYTHON, [SCRIPT, '--serve', directory], { stdio: ['pipe', 'pipe', 'pipe'] });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const lines = createInterface({ input: child.stdout });
      const request = async (command: string): Promise<string> => {
        const reply = nextLine(lines, child, () => errors);
        child.stdin.write(`${command}\n`);
        return reply;
      };
      try {
        await nextLine(lines, child, () => errors); // 'ready'
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
      const first = JSON.parse(await request('check')) as { loss: number; b2: number[] };
      const check = checkFirstStep(first.loss, first.b2);
      return {
        async run() {
          await request(`run ${STEPS_PER_RUN}`);
        },
        output: () => check,
        dispose() {
          child.stdin.end('quit\n');
          lines.close();
        },
      };
    },
  };
}

/**
 * The user-level MLP step against the raw fused path and PyTorch.
 * @example mlpNnCase().id // 'mlp-train-step-nn'
 */
export function mlpNnCase(): ComparisonCase {
  return {
    kind: 'comparison',
    id: 'mlp-train-step-nn',
    suite: 'mlp',
    label: 'MLP 784-256-10 train step, batch 128, SGD, as a user writes it (nn + F + optim)',
    unit: 'ms',
    opsPerRun: STEPS_PER_RUN,
    subject: 'tessera-nn',
    reference: ['tessera-fused'],
    checkDescription: `first-step loss and updated b2 within ${TOLERANCE} of a float64 host computation`,
    targets: { 'tessera-fused': 1.1 },
    implementations: [userLevel(false), userLevel(true), rawFused(), pytorch()],
  };
}
