/**
 * T5's generation: the encoder runs once; the decoder then produces one token per step through nn's
 * shared decoding loop (`decodeTokens`: greedy, temperature, top-k, top-p, seeded) or beam search
 * (`beamSearch`). With the cache (the default) each step feeds only the newest token: the
 * self-attention appends its key and value to the cache, and the cross-attention's keys and values of
 * the encoder output, computed at the first step, are reused. `useCache: false` recomputes the whole
 * decoder every step — the reference the cache must reproduce token for token.
 */
import { full, isTensor, noGrad, tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { beamSearch, checkSamplingOptions, decodeTokens, disposeState, type SamplingOptions, type TensorState } from '@tessera/nn';
import { idRows, type TokenIds } from '../gpt/token-ids';
import type { T5BlockCache } from './block';
import type { T5Mask } from './encoder-decoder';
import type { T5ForConditionalGeneration } from './t5-for-conditional-generation';

/** Options of `T5ForConditionalGeneration.generate`. */
export interface T5GenerateOptions extends SamplingOptions {
  /** Most tokens generated per row (after the start token). */
  maxNewTokens: number;
  /** Beam search with this many beams (default 1: greedy or sampling). */
  numBeams?: number;
  /** Seed of the sampling stream (temperature > 0). */
  seed?: number;
  /** Token that ends a row (default config.eos_token_id); null never stops early. */
  eosTokenId?: number | null;
  /** `[B, S]` encoder padding mask. */
  attentionMask?: T5Mask;
  /** Feed one token per step against the cache (default true); false recomputes the decoder each step. */
  useCache?: boolean;
  /** Beam search: divide a finished hypothesis's log-probability by length^α (default 0). */
  lengthPenalty?: number;
}

/** A beam's state: the encoder output row, its key mask, and each block's [self k, self v, cross k, cross v] (empty before the first step, and without the cache). */
type BeamState = readonly [encoded: Tensor, keyMask: Tensor, layers: readonly (readonly [Tensor, Tensor, Tensor, Tensor])[]];

function toLayers(cache: readonly T5BlockCache[]): BeamState[2] {
  return cache.map(({ self, cross }) => [self[0], self[1], cross![0], cross![1]] as const);
}

function fromLayers(layers: BeamState[2]): T5BlockCache[] | null {
  return layers.length ? layers.map(([selfKey, selfValue, crossKey, crossValue]) => ({ self: [selfKey, selfValue] as const, cross: [crossKey, crossValue] as const })) : null;
}

function disposeReplaced(previous: BeamState[2], next: BeamState[2]): void {
  const kept = new Set(next.flat());
  for (const tensor of previous.flat()) if (!kept.has(tensor)) tensor.dispose();
}

function checkOptions(where: string, options: T5GenerateOptions, vocabSize: number): { numBeams: number; eos: number | null; useCache: boolean } {
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: expected options { maxNewTokens, numBeams?, temperature?, … }, got ${String(options)}`);
  checkSamplingOptions(where, options);
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1) throw new ValueError(`${where}: maxNewTokens must be a positive integer, got ${options.maxNewTokens}`);
  const numBeams = options.numBeams ?? 1;
  if (!Number.isInteger(numBeams) || numBeams < 1) throw new ValueError(`${where}: numBeams must be a positive integer, got ${numBeams}`);
  if (numBeams > 1 && ((options.temperature ?? 0) !== 0 || options.topK !== undefined || options.topP !== undefined)) {
    throw new ValueError(`${where}: beam search (numBeams ${numBeams}) is deterministic; temperature, topK and topP apply to sampling with numBeams 1`);
  }
  const eos = options.eosTokenId;
  if (eos !== undefined && eos !== null && !(Number.isInteger(eos) && eos >= 0 && eos < vocabSize)) throw new ValueError(`${where}: eosTokenId must be a token id in [0, ${vocabSize - 1}] or null, got ${eos}`);
  if (options.useCache !== undefined && typeof options.useCache !== 'boolean') throw new ValueError(`${where}: useCache must be a boolean, got ${String(options.useCache)}`);
  return { numBeams, eos: eos === undefined ? null : eos, useCache: options.useCache ?? true };
}

/**
 * `T5ForConditionalGeneration.generate` (see there).
 * @example
 * await generateT5(t5, [[13, 7, 1]], { maxNewTokens: 8, numBeams: 3 });
 */
export async function generateT5(model: T5ForConditionalGeneration, inputIds: TokenIds, options: T5GenerateOptions): Promise<Tensor | number[] | number[][]> {
  const where = 'T5ForConditionalGeneration.generate';
  const config = model.config;
  const checked = checkOptions(where, options, config.vocabSize);
  const eos = options.eosTokenId === undefined ? config.eosTokenId : checked.eos;
  const { rows, single } = await idRows(where, inputIds, config.vocabSize);
  const device = model.shared.weight.device;
  const wasTraining = model.training;
  model.eval();
  const ids = tensor(rows, { dtype: 'int32', device });
  const { encoderHiddenStates, encoderKeyMask } = (() => {
    try {
      return noGrad(() => model.encode(ids, { attentionMask: options.attentionMask }));
    } finally {
      ids.dispose();
    }
  })();
  try {
    const sequences =
      checked.numBeams > 1
        ? await beamRows(model, encoderHiddenStates, encoderKeyMask, options, checked.numBeams, eos, checked.useCache)
        : await sampledRows(model, encoderHiddenStates, encoderKeyMask, options, eos, checked.useCache);
    // Hugging Face's layout: the start token first, pad after a row's eos, rows padded to the longest.
    const width = Math.max(...sequences.map((tokens) => tokens.length));
    const out = sequences.map((tokens) => [config.decoderStartTokenId, ...tokens, ...new Array<number>(width - tokens.length).fill(config.padTokenId)]);
    if (isTensor(inputIds)) return tensor(single ? out[0] : out, { dtype: 'int32', device: inputIds.device });
    return single ? out[0] : out;
  } finally {
    encoderHiddenStates.dispose();
    encoderKeyMask?.dispose();
    model.train(wasTraining);
  }
}

/** Greedy or sampled tokens per row, through nn's `decodeTokens`; each row cut after its first eos. */
async function sampledRows(
  model: T5ForConditionalGeneration,
  encoded: Tensor,
  keyMask: Tensor | null,
  options: T5GenerateOptions,
  eos: number | null,
  useCache: boolean,
): Promise<number[][]> {
  const start = model.config.decoderStartTokenId;
  const device = encoded.device;
  const generated: number[][] = Array.from({ length: encoded.shape[0] }, () => []);
  let cache: T5BlockCache[] | null = null;
  // decodeTokens asks for the next logits after the loop below has recorded the previous tokens.
  const nextLogits = (previous: number[] | null): Tensor => {
    const feed = useCache && previous ? previous.map((token) => [token]) : generated.map((tokens) => [start, ...tokens]);
    const step = noGrad(() => tidy(() => model.decodeStep(tensor(feed, { dtype: 'int32', device }), encoded, keyMask, useCache ? cache : null)));
    // The new cache shares the cross-attention keys and values of the old one: free only what it dropped.
    if (cache) disposeReplaced(toLayers(cache), toLayers(step.cache));
    cache = useCache ? step.cache : null;
    if (!useCache) disposeState(toLayers(step.cache) as TensorState);
    return step.logits;
  };
  const decodeOptions = { maxNewTokens: options.maxNewTokens, temperature: options.temperature ?? 0, topK: options.topK, topP: options.topP, seed: options.seed, stopTokens: eos === null ? [] : [eos] };
  try {
    for await (const tokens of decodeTokens(nextLogits, decodeOptions)) tokens.forEach((token, row) => generated[row].push(token));
  } finally {
    if (cache) disposeState(toLayers(cache) as TensorState);
  }
  return generated.map((tokens) => (eos !== null && tokens.includes(eos) ? tokens.slice(0, tokens.indexOf(eos) + 1) : tokens));
}

/** The best beam of each row (nn's `beamSearch`, one input row at a time), eos appended when it ended with one. */
async function beamRows(
  model: T5ForConditionalGeneration,
  encoded: Tensor,
  keyMask: Tensor | null,
  options: T5GenerateOptions,
  numBeams: number,
  eos: number | null,
  useCache: boolean,
): Promise<number[][]> {
  const start = model.config.decoderStartTokenId;
  const device = encoded.device;
  const results: number[][] = [];
  for (let row = 0; row < encoded.shape[0]; row++) {
    const initial: BeamState = noGrad(() =>
      tidy(() => {
        const rowMask = keyMask ? keyMask.narrow(0, row, 1).clone() : full([1, 1, 1, encoded.shape[1]], true, { dtype: 'bool', device });
        return [encoded.narrow(0, row, 1).clone(), rowMask, []] as BeamState;
      }),
    );
    try {
      const [best] = await beamSearch(
        (lastTokens, state: BeamState, sequences) =>
          noGrad(() =>
            tidy(() => {
              const [rowEncoded, rowMask, layers] = state;
              const past = useCache ? fromLayers(layers) : null;
              const feed = past ? lastTokens.map((token) => [token]) : sequences.map((tokens) => [start, ...tokens]);
              const step = model.decodeStep(tensor(feed, { dtype: 'int32', device }), rowEncoded, rowMask, past);
              const logProbs = step.logits.logSoftmax(-1);
              if (!useCache) disposeState(toLayers(step.cache) as TensorState);
              return { logProbs, state: [rowEncoded, rowMask, useCache ? toLayers(step.cache) : []] as BeamState };
            }),
          ),
        initial,
        { beamWidth: numBeams, maxLength: options.maxNewTokens, bos: start, eos: eos ?? undefined, lengthPenalty: options.lengthPenalty, stateBatchDim: 0 },
      );
      // A hypothesis shorter than maxNewTokens ended with eos, which beam search leaves out.
      results.push(eos !== null && best.tokens.length < options.maxNewTokens ? [...best.tokens, eos] : best.tokens);
    } finally {
      disposeState(initial as unknown as TensorState);
    }
  }
  return results;
}
