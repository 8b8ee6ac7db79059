/**
 * Beam search for autoregressive decoders: keep the `beamWidth` most probable partial sequences, extend
 * each by every token, keep the best `beamWidth` again, until every kept sequence has ended or
 * `maxLength` tokens were produced. Model-agnostic: the caller's step function maps the last token of
 * each beam and the beams' state to next-token log-probabilities and the new state (an RNN's hidden
 * state, a transformer's KV cache).
 */
import { isTensor, tensor, tidy, ValueError } from '@tessera/core';
import type { Tensor } from '@tessera/core';
import { disposeState, type TensorState } from './tensor-state';

/** What the step function returns for the live beams. */
export interface BeamStepResult<State> {
  /** `[beams, vocab]` log-probabilities of the next token (e.g. `logits.logSoftmax(-1)`). */
  logProbs: Tensor;
  /** The state after this step, one row per beam along `stateBatchDim`. */
  state: State;
}

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions {
  /** Sequences kept at each step (default 4); 1 is greedy decoding. */
  beamWidth?: number;
  /** Most tokens generated (not counting `bos`). */
  maxLength: number;
  /** Token fed first. */
  bos: number;
  /** Token that ends a sequence (kept out of the returned tokens); without one, every beam runs `maxLength` tokens. */
  eos?: number;
  /** Divide a finished sequence's log-probability by its length^α to favour longer outputs (default 0: plain sum). */
  lengthPenalty?: number;
  /** The batch dim of the state's tensors, along which beams are reordered (default 1, as RNN states `[layers, B, H]`). */
  stateBatchDim?: number;
}

/** A decoded sequence and its total log-probability. */
export interface BeamHypothesis {
  tokens: number[];
  logProb: number;
}

interface Beam {
  tokens: number[];
  logProb: number;
}

/**
 * Decode one sequence with beam search. `initialState` has a batch dim of size 1; it is expanded to
 * the beams. The step also receives each beam's tokens so far (without `bos`), for models that must
 * recompute their state from the text (a transformer whose context window is full). Returns the
 * finished hypotheses, best first (the first one is the answer).
 * @example
 * const [best] = await beamSearch((tokens, state) => {
 *   const [output, next] = decoder.forward(embed(tensor(tokens, { dtype: 'int32' }).unsqueeze(0)), state);
 *   return { logProbs: head.forward(output.select(0, 0)).logSoftmax(-1), state: next };
 * }, encoderState, { beamWidth: 4, maxLength: 12, bos: 1, eos: 2 });
 * best.tokens; // e.g. [5, 9, 3, …]
 */
export async function beamSearch<State extends TensorState>(
  step: (lastTokens: number[], state: State, sequences: readonly number[][]) => BeamStepResult<State>,
  initialState: State,
  options: BeamSearchOptions,
): Promise<BeamHypothesis[]> {
  const beamWidth = options.beamWidth ?? 4;
  const { maxLength, bos, eos } = options;
  const stateBatchDim = options.stateBatchDim ?? 1;
  const alpha = options.lengthPenalty ?? 0;
  if (!Number.isInteger(beamWidth) || beamWidth < 1) throw new ValueError(`beamSearch: beamWidth must be a positive integer, got ${beamWidth}`);
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new ValueError(`beamSearch: maxLength must be a positive integer, got ${maxLength}`);
  const score = (beam: Beam) => beam.logProb / Math.pow(Math.max(beam.tokens.length, 1), alpha);

  let beams: Beam[] = [{ tokens: [], logProb: 0 }];
  let state = initialState;
  let ownsState = false;
  const finished: Beam[] = [];
  for (let length = 0; length < maxLength && beams.length > 0; length++) {
    const lastTokens = beams.map((beam) => beam.tokens.at(-1) ?? bos);
    const result = step(lastTokens, state, beams.map((beam) => beam.tokens));
    const logProbs = await result.logProbs.data();
    const vocab = result.logProbs.shape[1];
    result.logProbs.dispose();
    // Every extension of every beam, best first.
    const candidates: { beam: number; token: number; logProb: number }[] = [];
    beams.forEach((beam, b) => {
      for (let token = 0; token < vocab; token++) candidates.push({ beam: b, token, logProb: beam.logProb + Number(logProbs[b * vocab + token]) });
    });
    candidates.sort((x, y) => y.logProb - x.logProb);
    const kept: { beam: number; token: number; logProb: number }[] = [];
    // The best extensions until beamWidth beams live on; an extension by eos ends its hypothesis instead.
    for (const candidate of candidates) {
      if (kept.length >= beamWidth) break;
      if (candidate.token === eos) finished.push({ tokens: beams[candidate.beam].tokens, logProb: candidate.logProb });
      else kept.push(candidate);
    }
    // Stop once the best finished hypothesis beats every live beam (log-probabilities only fall).
    const bestFinished = finished.length ? Math.max(...finished.map(score)) : -Infinity;
    const live = kept.filter((candidate) => alpha > 0 || candidate.logProb > bestFinished);
    const previousState = state;
    state = reorderState(result.state, live.map((candidate) => candidate.beam), stateBatchDim);
    disposeState(result.state);
    if (ownsState) disposeState(previousState);
    ownsState = true;
    beams = live.map((candidate) => ({ tokens: [...beams[candidate.beam].tokens, candidate.token], logProb: candidate.logProb }));
  }
  if (ownsState) disposeState(state);
  const all = [...finished, ...beams];
  return all.sort((x, y) => score(y) - score(x)).slice(0, beamWidth).map(({ tokens, logProb }) => ({ tokens, logProb }));
}

function reorderState<State extends TensorState>(state: State, rows: number[], dim: number): State {
  if (isTensor(state)) {
    if (rows.length === 0) return state.narrow(dim, 0, 0) as State;
    return tidy(() => state.indexSelect(dim, tensor(rows, { dtype: 'int32', device: state.device }))) as State;
  }
  return (state as readonly TensorState[]).map((part) => reorderState(part, rows, dim)) as unknown as State;
}
