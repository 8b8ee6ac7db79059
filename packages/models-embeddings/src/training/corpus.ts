/**
 * What the trainers read: a corpus as a string, an array of token arrays, or an (async) iterable of
 * either, turned into sentences of tokens. A string is split into sentences at . ! ? ; : and line breaks
 * and into lowercase words (letters and digits, with inner apostrophes: "whale's"); token arrays are
 * used as given.
 */

/** One sentence: its tokens. */
export type Sentence = readonly string[];

/**
 * A training corpus: a text, sentences of tokens, or an (async) iterable of texts or sentences. An
 * iterable is read once to count words and once more to encode them (one-shot iterators, such as a
 * generator, are kept in memory after the first read).
 */
export type Corpus = string | readonly Sentence[] | Iterable<string | Sentence> | AsyncIterable<string | Sentence>;

const SENTENCE_BREAK = /[.!?;:]+|\n\s*\n/u;
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * Split a text into sentences of lowercase words.
 * @example
 * tokenizeText('Call me Ishmael. Some years ago'); // [['call', 'me', 'ishmael'], ['some', 'years', 'ago']]
 */
export function tokenizeText(text: string): string[][] {
  const sentences: string[][] = [];
  for (const part of text.split(SENTENCE_BREAK)) {
    const words = part.toLowerCase().match(WORD);
    if (words && words.length > 0) sentences.push(words.map((word) => word.replace(/’/gu, "'")));
  }
  return sentences;
}

/**
 * The sentences of a corpus, in order (texts are tokenized).
 * @example
 * for await (const sentence of sentencesOf(corpus)) count(sentence);
 */
export async function* sentencesOf(corpus: Corpus): AsyncGenerator<Sentence> {
  if (typeof corpus === 'string') {
    yield* tokenizeText(corpus);
    return;
  }
  const items = corpus as Iterable<string | Sentence> | AsyncIterable<string | Sentence>;
  for await (const item of items) {
    if (typeof item === 'string') yield* tokenizeText(item);
    else yield item;
  }
}

/** Whether iterating `corpus` a second time starts over (arrays, strings, restartable iterables) rather than continuing a one-shot iterator. */
export function isRestartable(corpus: Corpus): boolean {
  if (typeof corpus === 'string' || Array.isArray(corpus)) return true;
  const object = corpus as { [Symbol.iterator]?: () => unknown; [Symbol.asyncIterator]?: () => unknown };
  const make = object[Symbol.asyncIterator] ?? object[Symbol.iterator];
  // A generator or iterator returns itself from [Symbol.iterator](): it cannot start over.
  return typeof make === 'function' && make.call(corpus) !== corpus;
}
