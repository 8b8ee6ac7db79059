/**
 * Next-token selection from logits — temperature, top-k, nucleus (top-p), greedy — shared by every
 * autoregressive model (GPT, T5's decoder, a character RNN). It runs on the host in float64 after one
 * read of the logits, which decoding needs anyway to know the token, so the same logits and seed give
 * the same token on every backend.
 */
import { ShapeError, ValueError, type Tensor } from '@tessera/core';
import type { PhiloxGenerator } from './philox-generator';

/** How the next token is chosen from the logits (Hugging Face's order: temperature, then top-k, then top-p). */
export interface SamplingOptions {
  /** Divide the logits by this before the softmax (default 1); 0 is greedy decoding (argmax). */
  temperature?: number;
  /** Keep only the `topK` largest logits (ties with the k-th are kept, as nanoGPT does). */
  topK?: number;
  /** Keep the smallest set of most probable tokens whose probabilities sum to at least `topP` (nucleus sampling, 0 < topP ≤ 1). */
  topP?: number;
}

/**
 * Throw a `ValueError` naming `op` for a temperature, topK or topP out of range.
 * @example
 * checkSamplingOptions('GPT.generate', { temperature: 0.8, topK: 40 });
 */
export function checkSamplingOptions(op: string, options: SamplingOptions): void {
  const { temperature, topK, topP } = options;
  if (temperature !== undefined && !(temperature >= 0 && Number.isFinite(temperature))) {
    throw new ValueError(`${op}: temperature must be a finite number ≥ 0 (0 is greedy), got ${temperature}`);
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new ValueError(`${op}: topK must be a positive integer, got ${topK}`);
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new ValueError(`${op}: topP must be in (0, 1], got ${topP}`);
}

/**
 * The distribution the next token is drawn from: softmax(logits / temperature) restricted to the
 * top-k and then the top-p tokens and renormalised (zeros elsewhere), in float64. Temperature 0 puts
 * all the mass on the first largest logit.
 * @example
 * nextTokenProbabilities([2, 1, 0], { topK: 2 }); // [0.731, 0.269, 0]
 */
export function nextTokenProbabilities(logits: ArrayLike<number>, options: SamplingOptions = {}): Float64Array {
  checkSamplingOptions('nextTokenProbabilities', options);
  const count = logits.length;
  if (count === 0) throw new ShapeError('nextTokenProbabilities: the logits are empty (vocabulary of size 0)');
  const temperature = options.temperature ?? 1;
  const probs = new Float64Array(count);
  let best = 0;
  for (let i = 0; i < count; i++) {
    const value = Number(logits[i]);
    if (Number.isNaN(value)) throw new ValueError(`nextTokenProbabilities: logit ${i} is NaN`);
    if (value > Number(logits[best])) best = i;
  }
  if (Number(logits[best]) === -Infinity) throw new ValueError('nextTokenProbabilities: every logit is -Infinity; no token can be chosen');
  if (temperature === 0) {
    probs[best] = 1;
    return probs;
  }
  const scaled = Float64Array.from({ length: count }, (_, i) => Number(logits[i]) / temperature);
  // nanoGPT's top-k: everything below the k-th largest value goes.
  const threshold = options.topK !== undefined && options.topK < count ? Float64Array.from(scaled).sort()[count - options.topK] : -Infinity;
  const max = scaled[best];
  let total = 0;
  for (let i = 0; i < count; i++) {
    probs[i] = scaled[i] >= threshold ? Math.exp(scaled[i] - max) : 0;
    total += probs[i];
  }
  for (let i = 0; i < count; i++) probs[i] /= total;
  const topP = options.topP ?? 1;
  if (topP < 1) {
    // Most probable first (ties: lower id first); a token stays while the mass above it is below topP.
    const order = Array.from({ length: count }, (_, i) => i)
      .filter((i) => probs[i] > 0)
      .sort((a, b) => probs[b] - probs[a] || a - b);
    let above = 0;
    let kept = 0;
    for (const i of order) {
      if (above >= topP) probs[i] = 0;
      else {
        above += probs[i];
        kept += probs[i];
      }
    }
    for (let i = 0; i < count; i++) probs[i] /= kept;
  }
  return probs;
}

/**
 * Draw one token from `probabilities` by inverse CDF over the token ids, with one uniform from `generator`.
 * @example
 * sampleFromProbabilities(nextTokenProbabilities(logits, { topP: 0.9 }), new PhiloxGenerator(0));
 */
export function sampleFromProbabilities(probabilities: ArrayLike<number>, generator: PhiloxGenerator): number {
  let total = 0;
  let lastPositive = -1;
  for (let i = 0; i < probabilities.length; i++) {
    if (probabilities[i] > 0) lastPositive = i;
    total += probabilities[i];
  }
  if (lastPositive < 0) throw new ValueError('sampleFromProbabilities: every probability is 0');
  const target = generator.uniform() * total;
  let cumulative = 0;
  for (let i = 0; i < probabilities.length; i++) {
    cumulative += probabilities[i];
    if (probabilities[i] > 0 && cumulative > target) return i;
  }
  return lastPositive; // rounding put the target at the very top
}

/**
 * The next token of each row of `logits` (`[vocab]` or `[rows, vocab]`): argmax when `temperature` is
 * 0, else a draw from {@link nextTokenProbabilities} (a generator is then required). Reads the
 * logits once; does not dispose them.
 * @example
 * const [token] = await sampleNextTokens(logits, { temperature: 0.8, topK: 40 }, new PhiloxGenerator(1));
 */
export async function sampleNextTokens(logits: Tensor, options: SamplingOptions, generator: PhiloxGenerator | null): Promise<number[]> {
  if (logits.ndim !== 1 && logits.ndim !== 2) throw new ShapeError(`sampleNextTokens: logits must be [vocab] or [rows, vocab], got [${logits.shape.join(', ')}]`);
  const vocab = logits.shape[logits.ndim - 1];
  const rows = logits.ndim === 2 ? logits.shape[0] : 1;
  const greedy = options.temperature === 0;
  if (!greedy && !generator) throw new ValueError('sampleNextTokens: sampling (temperature > 0) needs a PhiloxGenerator');
  const values = await logits.data();
  const tokens: number[] = [];
  for (let row = 0; row < rows; row++) {
    const probabilities = nextTokenProbabilities(values.subarray(row * vocab, (row + 1) * vocab) as ArrayLike<number>, options);
    tokens.push(greedy ? probabilities.indexOf(1) : sampleFromProbabilities(probabilities, generator!));
  }
  return tokens;
}
