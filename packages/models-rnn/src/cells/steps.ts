/**
 * One time step of each recurrence, written once and shared by the cells (`LSTMCell`, …) and the
 * sequence layers (`LSTM`, …). The input projection `x·W_ihᵀ + b_ih` is computed by the caller — for a
 * whole sequence that is one matmul over all steps instead of one per step — so a step only adds the
 * hidden projection and applies the gates. Gate orders are PyTorch's, so its weights load unchanged.
 */
import { fusedGruCell, fusedLstmCell, type Tensor } from '@tessera/core';
import { F } from '@tessera/nn';

/** The weights of one direction of one layer, PyTorch's `weight_ih`/`weight_hh`/`bias_ih`/`bias_hh`. */
export interface RecurrentWeights {
  /** `[gates·hidden, input]`. */
  weightIh: Tensor;
  /** `[gates·hidden, hidden]`. */
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

/** The elementwise nonlinearity of a plain (Elman) RNN. */
export type RNNNonlinearity = 'tanh' | 'relu';

/**
 * A recurrence step: the input projection of this step `[B, gates·H]`, the state parts (`[h]`, or
 * `[h, c]` for LSTM, each `[B, H]`) and the weights give the next state parts.
 */
export type RecurrentStep = (inputProjection: Tensor, state: readonly Tensor[], weights: RecurrentWeights) => Tensor[];

/** h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). */
export function rnnStep(nonlinearity: RNNNonlinearity): RecurrentStep {
  return (inputProjection, [h], weights) => {
    const preActivation = inputProjection.add(F.linear(h, weights.weightHh, weights.biasHh));
    return [nonlinearity === 'tanh' ? preActivation.tanh() : preActivation.relu()];
  };
}

/**
 * LSTM with gates in PyTorch's order i, f, g, o:
 * c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). The gate math is core's `fusedLstmCell`: one
 * kernel launch and one autograd node on backends with the `lstmCell` kernel.
 */
export const lstmStep: RecurrentStep = (inputProjection, [h, c], weights) =>
  fusedLstmCell(inputProjection, F.linear(h, weights.weightHh, weights.biasHh), c);

/**
 * GRU with gates in PyTorch's order r, z, n; the reset gate scales the hidden projection including its
 * bias, (W_hn·h + b_hn), as PyTorch (and cuDNN) do:
 * n = tanh(x_n + r·(W_hn·h + b_hn)), h' = (1 − z)·n + z·h. The gate math is core's `fusedGruCell`.
 */
export const gruStep: RecurrentStep = (inputProjection, [h], weights) => [
  fusedGruCell(inputProjection, F.linear(h, weights.weightHh, weights.biasHh), h),
];
