/**
 * Bits per character: the one language-model score that does not depend on the tokenizer.
 *
 * A model's loss is nats per *token*; a BPE token covers several characters, so per-token losses of
 * different tokenizers cannot be compared. Summing the cross-entropy over every token of a text and
 * dividing by the text's characters can: bits/char = Σ nats / ln 2 / characters — the number of bits
 * an arithmetic coder driven by the model would spend per character of that text.
 */
import { noGrad, tensor, tidy, ValueError } from '@tessera/core';
import { F } from '@tessera/nn';
import type { LanguageModel } from './lstm-language-model';

/**
 * Bits per character from a total cross-entropy in nats over a text of `characters` characters.
 * @example
 * bitsPerCharacter(4 * Math.LN2, 2); // 2: four bits over two characters
 */
export function bitsPerCharacter(totalNats: number, characters: number): number {
  if (!(characters > 0)) throw new ValueError(`bitsPerCharacter: characters must be positive, got ${characters}`);
  return totalNats / Math.LN2 / characters;
}

/** How {@link sequenceNats} reads a long token stream. */
export interface SequenceNatsOptions {
  /** Window length (at most the model's context). */
  blockSize: number;
  /** Windows per forward pass. */
  batchSize?: number;
}

/**
 * The summed next-token cross-entropy (nats) of `ids[1 …]` under `model`, reading the stream in
 * consecutive windows of `blockSize` tokens: window w feeds `ids[wT … wT+T−1]` and scores the token after
 * each, so every token but the first is predicted exactly once, from the tokens before it in its window
 * (on average T/2 of context). In evaluation mode, without gradients.
 * @example
 * const { nats, predicted } = await sequenceNats(gpt, ids, { blockSize: 64 }); // predicted = ids.length − 1
 */
export async function sequenceNats(model: LanguageModel, ids: ArrayLike<number>, options: SequenceNatsOptions): Promise<{ nats: number; predicted: number }> {
  const { blockSize } = options;
  const batchSize = options.batchSize ?? 32;
  if (ids.length < 2) throw new ValueError(`sequenceNats: need at least 2 tokens to predict one, got ${ids.length}`);
  const wasTraining = model.training;
  model.train(false);
  const windows: number[] = [];
  for (let start = 0; start < ids.length - 1; start += blockSize) windows.push(start);
  let nats = 0;
  let predicted = 0;
  const windowLength = (start: number) => Math.min(blockSize, ids.length - 1 - start);
  // Full windows go in batches; a shorter last window goes alone (one length per forward).
  for (let i = 0; i < windows.length; ) {
    const length = windowLength(windows[i]);
    let end = i + 1;
    while (end < windows.length && end - i < batchSize && windowLength(windows[end]) === length) end++;
    const starts = windows.slice(i, end);
    const inputs = starts.map((start) => Array.from({ length }, (_, t) => ids[start + t]));
    const targets = starts.map((start) => Array.from({ length }, (_, t) => ids[start + t + 1]));
    const sum = tidy(() =>
      noGrad(() => {
        const { logits } = model.forward(tensor(inputs, { dtype: 'int32' }));
        const vocab = logits.shape[2];
        return F.crossEntropy(logits.reshape([-1, vocab]), tensor(targets.flat(), { dtype: 'int32' }), { reduction: 'sum' });
      }),
    );
    nats += await sum.item();
    sum.dispose();
    predicted += starts.length * length;
    i = end;
  }
  model.train(wasTraining);
  return { nats, predicted };
}

/** What a tokenizer must do for {@link textBitsPerCharacter}. */
export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** The score of a model on a text. */
export interface TextScore {
  /** Σ cross-entropy (nats) over the predicted tokens. */
  nats: number;
  /** Tokens predicted (all but the first). */
  tokens: number;
  /** Characters (code points) those tokens spell. */
  characters: number;
  natsPerToken: number;
  bitsPerCharacter: number;
}

/**
 * Bits per character of `model` on `text` encoded by `tokenizer`. The first token only gives context
 * (nothing precedes it), so the characters counted are those of the other tokens; the text is checked to
 * decode back exactly from them (a tokenizer that loses text would flatter itself).
 * @example
 * const score = await textBitsPerCharacter(gpt, tokenizer, validationText, { blockSize: 64 });
 * score.bitsPerCharacter; // e.g. 2.1
 */
export async function textBitsPerCharacter(model: LanguageModel, tokenizer: TextTokenizer, text: string, options: SequenceNatsOptions): Promise<TextScore> {
  const ids = tokenizer.encode(text);
  const first = tokenizer.decode(ids.slice(0, 1));
  const rest = tokenizer.decode(ids.slice(1));
  if (first + rest !== text) {
    throw new ValueError(`textBitsPerCharacter: the tokenizer does not round-trip the text (${[...text].length} characters) token by token; start the text at a token boundary (e.g. a newline)`);
  }
  const { nats, predicted } = await sequenceNats(model, ids, options);
  const characters = [...rest].length;
  return { nats, tokens: predicted, characters, natsPerToken: nats / predicted, bitsPerCharacter: bitsPerCharacter(nats, characters) };
}
