/**
 * What a `WordVectors` answers for a word it does not hold.
 */

/**
 * A function that makes a vector for a word outside the vocabulary — FastText builds one from the
 * word's character n-grams. It must return `dim` values.
 * @example
 * const oov: OovVectorFunction = (word) => fastText.subwordVector(word);
 */
export type OovVectorFunction = (word: string) => Float32Array;

/**
 * The out-of-vocabulary policy: `'error'` (default) throws an `OutOfVocabularyError` naming the word,
 * `'zero'` answers a zero vector (similarity 0 with everything), a function computes a vector.
 * @example
 * const wv = new WordVectors(words, matrix, 100, { oov: 'zero' });
 */
export type OovPolicy = 'error' | 'zero' | OovVectorFunction;
