/**
 * Generation for causal language models with a key/value cache (GPT): the model's side of nn's shared
 * decoding loop (`decodeTokens`) and beam search (`beamSearch`).
 *
 * The cache rule: the prompt is read once, then each step feeds only the new token against the
 * cache. The context is the last `blockSize` tokens; once it is full the window slides, the learned
 * position of every cached token shifts, and the cache is recomputed from the cropped window — the
 * simplest rule that gives exactly what the uncached model computes. `useCache: false` recomputes the
 * window at every step (nanoGPT's `generate`).
 */
import { isTensor, noGrad, tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { beamSearch, checkDecodeOptions, decodeTokens, disposeState, type BeamHypothesis, type DecodeOptions, type Module } from '@tessera/nn';
import { cacheLength, type KVCache, type LayerKeyValue } from '../gpt/kv-cache';
import { idRows, type TokenIds } from '../gpt/token-ids';

/** Options of GPT's `generate` and `stream`: nn's `DecodeOptions` plus the cache switch. */
export interface CausalLMGenerateOptions extends DecodeOptions {
  /** Feed one new token per step against the key/value cache (default true); false recomputes the whole window each step. */
  useCache?: boolean;
}

/** Options of GPT's `beamSearch`. */
export interface CausalLMBeamSearchOptions {
  /** Sequences kept at each step (default 4). */
  beamWidth?: number;
  /** Most tokens generated. */
  maxNewTokens: number;
  /** Token that ends a hypothesis (kept out of its tokens). */
  eos?: number;
  /** Length normalisation exponent α (default 0). */
  lengthPenalty?: number;
  /** Use the key/value cache (default true). */
  useCache?: boolean;
}

/** What generation needs from a model: GPT's cached forward and its context size. */
export interface CachedCausalLM extends Module {
  readonly blockSize: number;
  readonly config: { readonly vocabSize: number };
  forwardCached(ids: Tensor, past: KVCache | null, options: { lastPositionOnly?: boolean }): { logits: Tensor; cache: LayerKeyValue[] };
}

/** The model's last-position logits for `rows` `[B, T]` after `past`, and the extended cache. */
function runModel(model: CachedCausalLM, rows: readonly (readonly number[])[], past: KVCache | null, device: string): { logits: Tensor; cache: LayerKeyValue[] } {
  return noGrad(() =>
    tidy(() => model.forwardCached(tensor(rows as number[][], { dtype: 'int32', device }), past, { lastPositionOnly: true })),
  );
}

/** The last `blockSize` tokens of each row. */
function windowOf(rows: readonly (readonly number[])[], blockSize: number): number[][] {
  return rows.map((row) => row.slice(-blockSize));
}

/** Holds the growing sequences and the cache of one `decodeTokens` run. */
class CachedContext {
  private cache: LayerKeyValue[] | null = null;

  constructor(
    private readonly model: CachedCausalLM,
    private readonly rows: number[][],
    private readonly useCache: boolean,
    private readonly device: string,
  ) {}

  /** nn's `NextTokenLogits`: append the tokens of the previous step, return `[B, vocab]` logits. */
  next(previous: number[] | null): Tensor {
    if (previous) previous.forEach((token, row) => this.rows[row].push(token));
    const incremental = this.useCache && previous !== null && this.cache !== null && cacheLength(this.cache) < this.model.blockSize;
    const { logits, cache } = incremental
      ? runModel(this.model, previous.map((token) => [token]), this.cache, this.device)
      : runModel(this.model, windowOf(this.rows, this.model.blockSize), null, this.device);
    if (this.cache) disposeState(this.cache);
    this.cache = null;
    if (this.useCache) this.cache = cache;
    else disposeState(cache);
    return logits;
  }

  dispose(): void {
    if (this.cache) disposeState(this.cache);
    this.cache = null;
  }
}

function checkUseCache(where: string, useCache: unknown): boolean {
  if (useCache !== undefined && typeof useCache !== 'boolean') throw new ValueError(`${where}: useCache must be a boolean, got ${String(useCache)}`);
  return useCache ?? true;
}

function deviceOf(model: CachedCausalLM): string | undefined {
  return model.parameters()[0]?.device;
}

/** Run the model in evaluation mode for the duration of `body`, then restore its mode. */
async function* inEvalMode<T>(model: Module, body: () => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  const wasTraining = model.training;
  model.eval();
  try {
    yield* body();
  } finally {
    model.train(wasTraining);
  }
}

/** The decoding loop over `rows` (copied; the prompt is not modified): each step's tokens, one per row. */
function decodeRows(where: string, model: CachedCausalLM, rows: number[][], options: CausalLMGenerateOptions): AsyncGenerator<number[], void, undefined> {
  checkDecodeOptions(where, options);
  const useCache = checkUseCache(where, options.useCache);
  return inEvalMode(model, async function* () {
    const context = new CachedContext(model, rows.map((row) => [...row]), useCache, deviceOf(model) ?? 'cpu');
    try {
      yield* decodeTokens((previous) => context.next(previous), options);
    } finally {
      context.dispose();
    }
  });
}

/**
 * GPT's `generate`: prompt + up to `maxNewTokens` tokens per row, in the form of `ids`.
 * @example
 * await generateCausalLM(gpt, [1, 2, 3], { maxNewTokens: 5, temperature: 0 }); // [1, 2, 3, …5 more]
 */
export async function generateCausalLM(model: CachedCausalLM, ids: TokenIds, options: CausalLMGenerateOptions): Promise<Tensor | number[] | number[][]> {
  const where = `${model.constructor.name}.generate`;
  checkDecodeOptions(where, options);
  const { rows, single } = await idRows(where, ids, model.config.vocabSize);
  const sequences = rows.map((row) => [...row]);
  for await (const tokens of decodeRows(where, model, rows, options)) tokens.forEach((token, row) => sequences[row].push(token));
  if (isTensor(ids)) return tensor(single ? sequences[0] : sequences, { dtype: 'int32', device: ids.device });
  return single ? sequences[0] : sequences;
}

/**
 * GPT's `stream`: the new tokens of one sequence as they are produced.
 * @example
 * for await (const token of streamCausalLM(gpt, [1, 2], { maxNewTokens: 5, seed: 0 })) console.log(token);
 */
export async function* streamCausalLM(model: CachedCausalLM, ids: TokenIds, options: CausalLMGenerateOptions): AsyncGenerator<number, void, undefined> {
  const where = `${model.constructor.name}.stream`;
  checkDecodeOptions(where, options);
  const { rows } = await idRows(where, ids, model.config.vocabSize);
  if (rows.length !== 1) throw new ValueError(`${where}: streams one sequence, got a batch of ${rows.length}; use generate for batches`);
  for await (const [token] of decodeRows(where, model, rows, options)) yield token;
}

/**
 * GPT's `beamSearch` over one prompt: nn's `beamSearch` with the beams' caches as its state (batch dim
 * 0). The prompt's last token is the first one fed (beam search's `bos`), after a cache of the rest.
 * @example
 * const [best] = await beamSearchCausalLM(gpt, [1, 2, 3], { beamWidth: 3, maxNewTokens: 10 });
 */
export async function beamSearchCausalLM(model: CachedCausalLM, ids: TokenIds, options: CausalLMBeamSearchOptions): Promise<BeamHypothesis[]> {
  const where = `${model.constructor.name}.beamSearch`;
  if (options === null || typeof options !== 'object') throw new ValueError(`${where}: expected options { maxNewTokens, beamWidth?, eos?, lengthPenalty? }`);
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 1) {
    throw new ValueError(`${where}: maxNewTokens must be a positive integer, got ${options.maxNewTokens}`);
  }
  const useCache = checkUseCache(where, options.useCache);
  const { rows } = await idRows(where, ids, model.config.vocabSize);
  if (rows.length !== 1) throw new ValueError(`${where}: searches for one prompt, got a batch of ${rows.length}`);
  const prompt = rows[0];
  const device = deviceOf(model) ?? 'cpu';
  const blockSize = model.blockSize;
  const wasTraining = model.training;
  model.eval();
  // The cache of the prompt without its last token, which the first step feeds.
  let initial: KVCache = [];
  if (useCache && prompt.length > 1 && prompt.length <= blockSize) {
    const { logits, cache } = runModel(model, [prompt.slice(0, -1)], null, device);
    logits.dispose();
    initial = cache;
  }
  try {
    return await beamSearch(
      (lastTokens, state: KVCache, sequences) => {
        const contexts = sequences.map((tokens) => [...prompt, ...tokens]);
        const incremental = useCache && state.length > 0 && cacheLength(state) + 1 === contexts[0].length && contexts[0].length <= blockSize;
        const { logits, cache } = incremental
          ? runModel(model, lastTokens.map((token) => [token]), state, device)
          : runModel(model, windowOf(contexts, blockSize), null, device);
        const logProbs = noGrad(() => tidy(() => logits.logSoftmax(-1)));
        logits.dispose();
        if (useCache) return { logProbs, state: cache };
        disposeState(cache);
        return { logProbs, state: [] };
      },
      initial,
      { beamWidth: options.beamWidth, maxLength: options.maxNewTokens, bos: prompt[prompt.length - 1], eos: options.eos, lengthPenalty: options.lengthPenalty, stateBatchDim: 0 },
    );
  } finally {
    disposeState(initial);
    model.train(wasTraining);
  }
}
