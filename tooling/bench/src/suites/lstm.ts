/**
 * LSTM training step: LSTM(input 128, hidden 256), batch 32 × 64 steps, forward + backward to the
 * weights. One run = forward over the sequence, loss = Σ output ⊙ g for a fixed upstream gradient g,
 * and the gradients of the input weights, the recurrent weights and the bias; ms per step.
 *
 * Tessera: `LSTM` from @tessera/models-rnn (batch-first), `backward()`. TensorFlow.js: `tf.layers.lstm`
 * with `recurrentActivation: 'sigmoid'` (its default is hardSigmoid) (Keras layout: kernel [in, 4H],
 * recurrentKernel [H, 4H], one bias [4H]; gate order i, f, c, o, the same as PyTorch's i, f, g, o) under `tf.variableGrads`. Both start from the same weights: Tessera's
 * `weight_ih` is the transposed kernel, `bias_ih` the bias and `bias_hh` zero. The cross-check compares
 * the loss and the squared norms of the three gradients. PyTorch's number on the same machine comes
 * from tooling/bench/pytorch/lstm_train_step.py (run by hand; see BENCHMARKS.md).
 *
 * `lstm-train-step-composite` is the same step with Tessera on a second CPU backend that lacks the
 * optional `lstmCell`/`lstmCellBackward` kernels, so core runs its composite cell (about ten ops
 * forward and twenty backward per step): fused kernel vs composite, same machine, same run. The CPU
 * backend's cell kernels currently take float64 only (in float32 its SIMD composite is faster) and
 * decline this float32 step, so today the two rows run the same math and their gap is the noise.
 */
import { cpuWithoutKernels } from '../cpu-without-kernels';
import { lazy, normalData, preparedFromStep } from '../harness';
import type { Side } from '../side';
import type { BenchmarkCase } from './suite';

const [BATCH, STEPS, INPUT, HIDDEN] = [32, 64, 128, 256];
const GATES = 4 * HIDDEN;

interface LstmData { x: Float32Array; kernel: Float32Array; recurrent: Float32Array; bias: Float32Array; g: Float32Array }

/** [rows, cols] → [cols, rows]. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

type Step = () => Promise<Float32Array>;

/** The recurrent-cell kernels the composite variant's backend goes without. */
const CELL_KERNELS = ['lstmCell', 'lstmCellBackward', 'gruCell', 'gruCellBackward'] as const;

async function tesseraStep(data: LstmData, device = 'cpu'): Promise<{ step: Step; dispose(): void }> {
  const core = await import('@tessera/core');
  const { LSTM } = await import('@tessera/models-rnn');
  const lstm = new LSTM(INPUT, HIDDEN, { batchFirst: true, device });
  core.noGrad(() => core.tidy(() => {
    const weights = lstm.stateDict();
    weights.weight_ih_l0.assign(core.tensor(transpose(data.kernel, INPUT, GATES), { device }).reshape([GATES, INPUT]));
    weights.weight_hh_l0.assign(core.tensor(transpose(data.recurrent, HIDDEN, GATES), { device }).reshape([GATES, HIDDEN]));
    weights.bias_ih_l0.assign(core.tensor(data.bias, { device }));
    weights.bias_hh_l0.assign(core.zeros([GATES], { device }));
  }));
  const [x, g] = core.tidy(() => [core.tensor(data.x, { device }).reshape([BATCH, STEPS, INPUT]), core.tensor(data.g, { device }).reshape([BATCH, STEPS, HIDDEN])]);
  const parameters = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0'].map((name) => lstm.stateDict()[name]);
  return {
    async step() {
      lstm.zeroGrad();
      const loss = core.tidy(() => lstm.forward(x)[0].mul(g).sum());
      loss.backward();
      const squares = core.noGrad(() => core.tidy(() => parameters.map((p) => p.grad!.mul(p.grad!).sum())));
      const values = Float32Array.from([await loss.item(), ...(await Promise.all(squares.map((s) => s.item())))]);
      [loss, ...squares].forEach((t) => t.dispose());
      return values;
    },
    dispose() {
      [x, g].forEach((t) => t.dispose());
      lstm.dispose();
    },
  };
}

async function tfjsStep(data: LstmData): Promise<{ step: Step; dispose(): void }> {
  const tf = await import('@tensorflow/tfjs');
  const layer = tf.layers.lstm({ units: HIDDEN, returnSequences: true, recurrentActivation: 'sigmoid' }); // tfjs defaults to hardSigmoid
  tf.tidy(() => {
    layer.apply(tf.zeros([1, STEPS, INPUT])); // builds the layer's weights
  });
  const initial = [tf.tensor2d(data.kernel, [INPUT, GATES]), tf.tensor2d(data.recurrent, [HIDDEN, GATES]), tf.tensor1d(data.bias)];
  layer.setWeights(initial);
  initial.forEach((t) => t.dispose());
  const x = tf.tensor3d(data.x, [BATCH, STEPS, INPUT]);
  const g = tf.tensor3d(data.g, [BATCH, STEPS, HIDDEN]);
  const variables = layer.trainableWeights.map((weight) => weight.read() as import('@tensorflow/tfjs').Variable);
  return {
    async step() {
      const [loss, ...squares] = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as import('@tensorflow/tfjs').Tensor, g)) as import('@tensorflow/tfjs').Scalar, variables);
        return [value, ...variables.map((variable) => tf.sum(tf.mul(grads[variable.name], grads[variable.name])))];
      });
      const values = Float32Array.from(await Promise.all([loss, ...squares].map(async (t) => (await t.data())[0])));
      [loss, ...squares].forEach((t) => t.dispose());
      return values;
    },
    dispose() {
      [x, g].forEach((t) => t.dispose());
      layer.dispose();
    },
  };
}

/**
 * The LSTM forward + backward case; `compositeCell` runs Tessera without the cell kernels (see the file comment).
 * @example lstmCase().id // 'lstm-train-step'
 */
export function lstmCase(compositeCell = false): BenchmarkCase {
  const data = lazy<LstmData>(() => ({
    x: normalData(BATCH * STEPS * INPUT, 81),
    kernel: normalData(INPUT * GATES, 82, 1 / Math.sqrt(INPUT)),
    recurrent: normalData(HIDDEN * GATES, 83, 1 / Math.sqrt(HIDDEN)),
    bias: normalData(GATES, 84, 0.1),
    g: normalData(BATCH * STEPS * HIDDEN, 85),
  }));
  return {
    id: compositeCell ? 'lstm-train-step-composite' : 'lstm-train-step',
    suite: 'lstm',
    label: `LSTM(${INPUT}, ${HIDDEN}), batch ${BATCH} × ${STEPS} steps, fwd+bwd${compositeCell ? ', Tessera without the lstmCell kernel' : ''}`,
    unit: 'ms',
    opsPerRun: 1,
    tolerance: 2e-3,
    checkDescription: 'loss and squared norms of the kernel, recurrent-kernel and bias gradients',
    async prepare(side: Side) {
      if (side.name === 'tfjs-cpu' || side.name === 'tfjs-wasm') await side.activate();
      const run = side.name === 'tessera-cpu' ? await tesseraStep(data(), compositeCell ? await cpuWithoutKernels('cpu-composite-cells', CELL_KERNELS) : 'cpu') : await tfjsStep(data());
      return preparedFromStep(run);
    },
  };
}
