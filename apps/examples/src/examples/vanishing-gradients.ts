/**
 * Vanishing and exploding gradients — why plain RNNs forget and what LSTM and GRU gates change.
 *
 * 1. Through time: the gradient of a loss on step 100 with respect to the input at step 1, relative to
 *    the input at step 100 (‖∂L/∂x₁‖ / ‖∂L/∂x₁₀₀‖). Each step multiplies it by W_hhᵀ·diag(tanh′) in a
 *    plain RNN, so it shrinks geometrically. LSTM's cell state and GRU's update path are additive:
 *    c_t = f·c_{t−1} + …, h_t = z·h_{t−1} + …; with the gates set to remember (a forget-gate bias of 2,
 *    an update-gate bias of 2, as is common practice for LSTMs) the gradient survives 100 steps.
 * 2. Through depth: a 10-layer sigmoid MLP multiplies the gradient by σ′ ≤ 0.25 per layer; ReLU's
 *    derivative is 1 where the unit is active.
 * 3. Exploding: an RNN with large recurrent weights produces huge gradients; `clipGradNorm` rescales
 *    them so a training step stays finite.
 */
import { manualSeed, noGrad, randn, tensor, tidy, type Tensor } from '@tessera/core';
import { F, Linear, Module, Sequential, Sigmoid, ReLU, init } from '@tessera/nn';
import { clipGradNorm, SGD } from '@tessera/optim';
import { GRU, LSTM, RNN } from '@tessera/models-rnn';
import { printer, table, type ExampleOptions } from '../common';

const STEPS = 100;
const HIDDEN = 32;
const FEATURES = 8;

/** Set one gate's bias block (`gate` counts PyTorch's gate order) of every bias of a one-layer RNN. */
async function setGateBias(module: Module, gate: number, value: number): Promise<void> {
  for (const [name, bias] of module.namedParameters()) {
    if (!name.startsWith('bias_ih')) continue; // b_ih + b_hh enter the gate as a sum; set one of them
    const values = Array.from(await bias.data());
    values.fill(value, gate * HIDDEN, (gate + 1) * HIDDEN);
    noGrad(() => bias.assign(tensor(values, { dtype: bias.dtype })));
  }
}

/** ‖∂L/∂x₁‖ / ‖∂L/∂x_T‖ for L = sum of the last step's output. */
async function gradientRatio(model: RNN | LSTM | GRU): Promise<number> {
  manualSeed(1);
  const x = randn([STEPS, 1, FEATURES], { dtype: 'float64', requiresGrad: true });
  tidy(() => {
    const [output] = model.forward(x);
    output.select(0, STEPS - 1).sum().backward();
  });
  const norms = await tidy(() => x.grad!.pow(2).sum([1, 2]).sqrt()).data();
  x.dispose();
  return norms[0] / norms[STEPS - 1];
}

/**
 * Gradient norm of each Linear layer's weight in a 10-layer MLP, first layer first. Each net gets the
 * initialisation made for its activation (Glorot for sigmoid, He for ReLU), so what remains is the
 * activation's derivative.
 */
async function layerGradientNorms(activation: () => Module, initialise: (weight: Tensor) => void): Promise<number[]> {
  manualSeed(2);
  const layers: Module[] = [];
  for (let i = 0; i < 10; i++) {
    const linear = new Linear(32, 32);
    initialise(linear.weight);
    layers.push(linear, activation());
  }
  const mlp = new Sequential(...layers, new Linear(32, 1));
  const x = randn([64, 32]);
  tidy(() => mlp.forward(x).pow(2).mean().backward());
  const norms: number[] = [];
  for (const [name, parameter] of mlp.namedParameters()) {
    if (name.endsWith('weight') && name !== '20.weight') norms.push(await tidy(() => parameter.grad!.pow(2).sum().sqrt()).item());
  }
  mlp.dispose();
  return norms;
}

/** One SGD step on an RNN whose recurrent weights are scaled up: gradient norm and the update size, with and without clipping. */
async function explodingStep(clip: boolean): Promise<{ lossBefore: number; gradientNorm: number; updateNorm: number; lossAfter: number }> {
  manualSeed(3);
  const rnn = new RNN(FEATURES, HIDDEN, { nonlinearity: 'relu' });
  // W_hh ≈ 1.3·I: the hidden state (and the gradient) grows about 1.3× per step, 1.3⁵⁰ ≈ 5·10⁵ over the sequence.
  noGrad(() => rnn.stateDict().weight_hh_l0.assign(tidy(() => randn([HIDDEN, HIDDEN]).mul(0.1 / Math.sqrt(HIDDEN)).add(tensor(eye(HIDDEN)).mul(1.3)))));
  const x = randn([50, 4, FEATURES]);
  const target = randn([4, HIDDEN]);
  const loss = (): Tensor => {
    const [, hN] = rnn.forward(x);
    return F.mseLoss(hN.select(0, 0), target);
  };
  const before = rnn.parameters().map((p) => p.clone());
  const lossBefore = await tidy(() => {
    const value = loss();
    value.backward();
    return value;
  }).item();
  const gradientNorm = clip
    ? await clipGradNorm(rnn.parameters(), 1.0).item()
    : await tidy(() => rnn.parameters().map((p) => p.grad!.pow(2).sum()).reduce((a, b) => a.add(b)).sqrt()).item();
  new SGD(rnn.parameters(), { lr: 0.01 }).step();
  const updateNorm = await tidy(() => rnn.parameters().map((p, i) => p.sub(before[i]).pow(2).sum()).reduce((a, b) => a.add(b)).sqrt()).item();
  const lossAfter = await tidy(() => noGrad(loss)).item();
  before.forEach((t) => t.dispose());
  rnn.dispose();
  return { lossBefore, gradientNorm, updateNorm, lossAfter };
}

function eye(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const f64 = { dtype: 'float64' } as const;

  print(`1. Through time: ‖∂L/∂x₁‖ / ‖∂L/∂x₁₀₀‖, L on the output of step ${STEPS}, hidden size ${HIDDEN} (float64)`);
  manualSeed(0);
  const rnn = new RNN(FEATURES, HIDDEN, f64);
  const lstm = new LSTM(FEATURES, HIDDEN, f64);
  const gru = new GRU(FEATURES, HIDDEN, f64);
  const atInit = { rnn: await gradientRatio(rnn), lstm: await gradientRatio(lstm), gru: await gradientRatio(gru) };
  await setGateBias(lstm, 1, 2); // LSTM gates i, f, g, o: forget gate σ(2) ≈ 0.88
  await setGateBias(gru, 1, 2); // GRU gates r, z, n: update gate σ(2) ≈ 0.88 keeps h
  const remembering = { lstm: await gradientRatio(lstm), gru: await gradientRatio(gru) };
  print(table(['model', 'default init', 'gates set to remember (bias 2)'], [
    ['RNN (tanh)', atInit.rnn.toExponential(2), '— (no gates)'],
    ['LSTM', atInit.lstm.toExponential(2), remembering.lstm.toExponential(2)],
    ['GRU', atInit.gru.toExponential(2), remembering.gru.toExponential(2)],
  ]));
  print(`The plain RNN keeps ${atInit.rnn.toExponential(1)} of the gradient over ${STEPS} steps; with remembering gates LSTM keeps ${(remembering.lstm / atInit.rnn).toExponential(1)}× more and GRU ${(remembering.gru / atInit.rnn).toExponential(1)}× more.`);
  print(`GRU has ${gru.numParameters()} parameters, LSTM ${lstm.numParameters()}: three quarters.`);
  [rnn, lstm, gru].forEach((m) => m.dispose());

  print('\n2. Through depth: gradient norm of each layer\'s weight in a 10-layer MLP (Glorot init for sigmoid, He for ReLU)');
  const sigmoid = await layerGradientNorms(() => new Sigmoid(), (w) => init.xavierNormal(w));
  const relu = await layerGradientNorms(() => new ReLU(), (w) => init.kaimingNormal(w, { nonlinearity: 'relu' }));
  print(table(['layer', 'sigmoid', 'ReLU'], sigmoid.map((s, i) => [String(i + 1), s.toExponential(2), relu[i].toExponential(2)])));
  const sigmoidShrink = Math.pow(sigmoid[0] / sigmoid[9], 1 / 9);
  print(`Sigmoid: the first layer gets ${(sigmoid[0] / sigmoid[9]).toExponential(2)} of the last one's gradient, a factor ${sigmoidShrink.toFixed(3)} per layer (σ′ ≤ 0.25). ReLU: ${(relu[0] / relu[9]).toExponential(2)}.`);

  print('\n3. Exploding: an RNN with large recurrent weights, one SGD step (lr 0.01)');
  const plain = await explodingStep(false);
  const clipped = await explodingStep(true);
  print(table(['step', 'loss before', 'gradient norm', 'parameter change', 'loss after'], [
    ['no clipping', plain.lossBefore.toExponential(2), plain.gradientNorm.toExponential(2), plain.updateNorm.toExponential(2), plain.lossAfter.toExponential(2)],
    ['clipGradNorm(…, 1)', clipped.lossBefore.toExponential(2), clipped.gradientNorm.toExponential(2), clipped.updateNorm.toExponential(2), clipped.lossAfter.toExponential(2)],
  ]));
  print('Without clipping one step moves the weights by ~10¹² and the loss becomes NaN; clipGradNorm rescales the gradients to norm 1, so the step moves them by lr·1 and the loss stays finite.');

  return {
    throughTime: { atInit, remembering },
    parameterCounts: { lstm: 4 * HIDDEN * (FEATURES + HIDDEN + 2), gru: 3 * HIDDEN * (FEATURES + HIDDEN + 2) },
    depth: { sigmoid, relu, sigmoidShrink },
    exploding: { plain, clipped },
  };
}
