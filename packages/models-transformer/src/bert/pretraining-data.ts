/**
 * BERT's two pre-training objectives as data: masked-language-model corruption of token ids (Hugging
 * Face's `DataCollatorForLanguageModeling`) and next-sentence-prediction pairs (half real successors,
 * half random sentences). Plain arrays in and out, seeded with nn's Philox stream, so one seed gives
 * the same examples everywhere. Pair encoding itself — `[CLS] a [SEP] b [SEP]` with token-type ids,
 * truncation and padding — is `encodeBatch` of `@tessera/data` (see the README).
 */
import { ValueError } from '@tessera/core';
import { PhiloxGenerator } from '@tessera/nn';
import { IGNORE_INDEX } from './bert-for-masked-lm';

/** Options of {@link maskTokensForMLM}. */
export interface MaskTokensOptions {
  /** Id of `[MASK]`. */
  maskTokenId: number;
  /** Vocabulary size: random replacements are drawn uniformly from [0, vocabSize). */
  vocabSize: number;
  /** Ids that are never chosen (`[CLS]`, `[SEP]`, `[PAD]`, …). */
  specialTokenIds: Iterable<number>;
  /** Share of (non-special) tokens chosen for prediction (default 0.15). */
  mlmProbability?: number;
  /** Share of chosen tokens replaced by `[MASK]` (default 0.8). */
  maskProbability?: number;
  /** Share of chosen tokens replaced by a random token (default 0.1); the rest are kept unchanged. */
  randomProbability?: number;
  /** Seed of the draws (a {@link PhiloxGenerator}), or a generator to continue. */
  seed?: number;
  generator?: PhiloxGenerator;
}

/** What {@link maskTokensForMLM} returns. */
export interface MaskedTokens {
  /** The corrupted ids (the model's input). */
  inputIds: number[][];
  /** The original id at every chosen position, −100 elsewhere (no loss there). */
  labels: number[][];
}

function checkProbability(what: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new ValueError(`maskTokensForMLM: ${what} must be in [0, 1], got ${value}`);
  return value;
}

/**
 * BERT's masked-LM corruption: each non-special token is chosen with probability `mlmProbability`
 * (15 %); a chosen token becomes `[MASK]` (80 %), a random token (10 %) or stays (10 %), and only
 * chosen positions carry a label (the others −100, ignored by the loss).
 * @example
 * const { inputIds, labels } = maskTokensForMLM(batch.inputIds, { maskTokenId: 4, vocabSize: 3000, specialTokenIds: [0, 2, 3, 4], seed: 1 });
 * model.forward(inputIds, { attentionMask: batch.attentionMask, labels });
 */
export function maskTokensForMLM(ids: readonly (readonly number[])[], options: MaskTokensOptions): MaskedTokens {
  if (!Array.isArray(ids) || !ids.every((row) => Array.isArray(row))) throw new ValueError('maskTokensForMLM: expected rows of token ids (number[][])');
  const { maskTokenId, vocabSize } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new ValueError(`maskTokensForMLM: vocabSize must be a positive integer, got ${vocabSize}`);
  if (!Number.isInteger(maskTokenId) || maskTokenId < 0 || maskTokenId >= vocabSize) throw new ValueError(`maskTokensForMLM: maskTokenId must be an id in [0, ${vocabSize - 1}], got ${maskTokenId}`);
  const chooseP = checkProbability('mlmProbability', options.mlmProbability ?? 0.15);
  const maskP = checkProbability('maskProbability', options.maskProbability ?? 0.8);
  const randomP = checkProbability('randomProbability', options.randomProbability ?? 0.1);
  if (maskP + randomP > 1 + 1e-12) throw new ValueError(`maskTokensForMLM: maskProbability + randomProbability must be ≤ 1, got ${maskP} + ${randomP}`);
  const special = new Set(options.specialTokenIds);
  const generator = options.generator ?? new PhiloxGenerator(options.seed ?? 0);
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  for (const row of ids) {
    const input = [...row];
    const label = new Array<number>(row.length).fill(IGNORE_INDEX);
    row.forEach((id, position) => {
      if (special.has(id) || generator.uniform() >= chooseP) return;
      label[position] = id;
      const action = generator.uniform();
      if (action < maskP) input[position] = maskTokenId;
      else if (action < maskP + randomP) input[position] = Math.min(vocabSize - 1, Math.floor(generator.uniform() * vocabSize));
    });
    inputIds.push(input);
    labels.push(label);
  }
  return { inputIds, labels };
}

/** One next-sentence-prediction example. */
export interface SentencePair<T> {
  first: T;
  second: T;
  /** 0: `second` follows `first` in its document; 1: `second` is a random sentence (Hugging Face's convention). */
  nextSentenceLabel: 0 | 1;
}

/** Options of {@link nextSentencePairs}. */
export interface NextSentencePairsOptions {
  /** Share of pairs whose second sentence is random (default 0.5). */
  randomProbability?: number;
  seed?: number;
  generator?: PhiloxGenerator;
}

/**
 * Next-sentence-prediction pairs from documents (each an array of sentences, as text or token ids):
 * every sentence that has a successor starts one pair, whose second sentence is that successor
 * (label 0) or, with probability `randomProbability`, a random sentence from another document
 * (label 1; from the same document, but never the true successor, when there is only one).
 * @example
 * const pairs = nextSentencePairs([['Call me Ishmael.', 'Some years ago…'], ['It was a dark night.', 'The wind howled.']], { seed: 0 });
 * // [{ first: 'Call me Ishmael.', second: 'The wind howled.', nextSentenceLabel: 1 }, …]
 */
export function nextSentencePairs<T>(documents: readonly (readonly T[])[], options: NextSentencePairsOptions = {}): SentencePair<T>[] {
  if (!Array.isArray(documents) || !documents.every((document) => Array.isArray(document))) throw new ValueError('nextSentencePairs: expected documents as arrays of sentences');
  const randomP = options.randomProbability ?? 0.5;
  if (!(randomP >= 0 && randomP <= 1)) throw new ValueError(`nextSentencePairs: randomProbability must be in [0, 1], got ${randomP}`);
  const total = documents.reduce((sum, document) => sum + document.length, 0);
  const generator = options.generator ?? new PhiloxGenerator(options.seed ?? 0);
  const pairs: SentencePair<T>[] = [];
  documents.forEach((document, d) => {
    for (let i = 0; i + 1 < document.length; i++) {
      if (generator.uniform() >= randomP) {
        pairs.push({ first: document[i], second: document[i + 1], nextSentenceLabel: 0 });
        continue;
      }
      const others = documents.length > 1 ? total - document.length : document.length - 1;
      if (others < 1) throw new ValueError('nextSentencePairs: a random second sentence needs at least two sentences besides the first one');
      // A uniform draw over the allowed sentences: other documents, or (one document) all but the true successor.
      let pick = Math.min(others - 1, Math.floor(generator.uniform() * others));
      let second: T | undefined;
      for (let o = 0; o < documents.length && second === undefined; o++) {
        if (documents.length > 1 && o === d) continue;
        for (let s = 0; s < documents[o].length; s++) {
          if (documents.length === 1 && s === i + 1) continue;
          if (pick-- === 0) {
            second = documents[o][s];
            break;
          }
        }
      }
      pairs.push({ first: document[i], second: second as T, nextSentenceLabel: 1 });
    }
  });
  return pairs;
}
