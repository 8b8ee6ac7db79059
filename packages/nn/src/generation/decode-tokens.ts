/**
 * The autoregressive decoding loop every generative model shares: ask the model for the next-token
 * logits, choose a token per row, hand it out as soon as it is known, stop at `maxNewTokens` or when
 * every row has produced a stop token. The model keeps its own state (a KV cache, a recurrent state)
 * inside the `nextLogits` callback; this loop only sees logits and token ids.
 */
import { ValueError, type Tensor } from '@tessera/core';
import { PhiloxGenerator } from './philox-generator';
import { checkSamplingOptions, sampleNextTokens, type SamplingOptions } from './sampling';

/** Options of {@link decodeTokens} (and of the models' `generate` / `stream`). */
export interface DecodeOptions extends SamplingOptions {
  /** Most tokens to produce per row. */
  maxNewTokens: number;
  /** Seed of the sampling stream ({@link PhiloxGenerator}); without it, a seed is drawn from core's global stream (`manualSeed`). */
  seed?: number;
  /** Tokens that end a row (e.g. `<|endoftext|>`); the stop token itself is produced. */
  stopTokens?: readonly number[];
}

/**
 * The model's side of decoding: the `[rows, vocab]` logits of the next token of every row, given the
 * tokens chosen at the previous step (`null` on the first call, when the model reads its prompt).
 * {@link decodeTokens} disposes the returned logits.
 */
export type NextTokenLogits = (previousTokens: number[] | null) => Tensor;

/**
 * Throw a `ValueError` naming `op` for bad decoding options.
 * @example
 * checkDecodeOptions('GPT.generate', { maxNewTokens: 20, temperature: 0 });
 */
export function checkDecodeOptions(op: string, options: DecodeOptions): void {
  if (options === null || typeof options !== 'object') throw new ValueError(`${op}: expected an options object with maxNewTokens, got ${String(options)}`);
  checkSamplingOptions(op, options);
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 0) {
    throw new ValueError(`${op}: maxNewTokens must be a non-negative integer, got ${options.maxNewTokens}`);
  }
  if (options.seed !== undefined && !(Number.isSafeInteger(options.seed) && options.seed >= 0)) {
    throw new ValueError(`${op}: seed must be a non-negative safe integer, got ${options.seed}`);
  }
  if (options.stopTokens !== undefined && !(Array.isArray(options.stopTokens) && options.stopTokens.every((token) => Number.isInteger(token)))) {
    throw new ValueError(`${op}: stopTokens must be an array of integer token ids, got ${JSON.stringify(options.stopTokens)}`);
  }
}

/**
 * Yield the next token of every row, one step at a time. A row that produced a stop token repeats it
 * (as padding) until every row has stopped, which ends the loop. Break out of the loop early to stop
 * generating: the callback is simply not called again.
 * @example
 * for await (const [token] of decodeTokens((previous) => model.nextLogits(previous), { maxNewTokens: 50, temperature: 0.8, seed: 1 })) {
 *   process.stdout.write(tokenizer.decode([token]));
 * }
 */
export async function* decodeTokens(nextLogits: NextTokenLogits, options: DecodeOptions): AsyncGenerator<number[], void, undefined> {
  checkDecodeOptions('decodeTokens', options);
  const stopTokens = new Set(options.stopTokens ?? []);
  let generator: PhiloxGenerator | null = null;
  let previous: number[] | null = null;
  let stopped: (number | null)[] = [];
  for (let step = 0; step < options.maxNewTokens; step++) {
    const logits = nextLogits(previous);
    let tokens: number[];
    try {
      // Greedy decoding draws nothing: it leaves the global stream alone.
      if (options.temperature !== 0) generator ??= options.seed !== undefined ? new PhiloxGenerator(options.seed) : await PhiloxGenerator.fromGlobalStream();
      tokens = await sampleNextTokens(logits, options, generator);
    } finally {
      logits.dispose();
    }
    if (step === 0) stopped = tokens.map(() => null);
    tokens = tokens.map((token, row) => stopped[row] ?? token);
    yield tokens;
    stopped = tokens.map((token, row) => stopped[row] ?? (stopTokens.has(token) ? token : null));
    if (stopped.every((token) => token !== null)) return;
    previous = tokens;
  }
}
