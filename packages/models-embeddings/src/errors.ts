/**
 * The package's typed errors: a word that is not in the vocabulary, and a malformed vector file.
 * Both extend core's `ValueError`, so `catch (e) { if (e instanceof ValueError) … }` sees them too.
 */
import { ValueError } from '@tessera/core';

/**
 * A word the vectors do not hold, asked for under the `'error'` out-of-vocabulary policy (or by
 * `index(word)`). `word` is the word; the message names the operation and, when it helps, close
 * spellings that are in the vocabulary.
 * @example
 * try { wv.get('qeen'); } catch (e) { if (e instanceof OutOfVocabularyError) console.log(e.word); }
 */
export class OutOfVocabularyError extends ValueError {
  constructor(
    readonly op: string,
    readonly word: string,
    detail = '',
  ) {
    super(`${op}: word ${JSON.stringify(word)} is not in the vocabulary${detail}`);
  }
}

/**
 * A vector file that does not follow its format: a wrong header count, a short or long row, a value
 * that is not a number, a truncated binary record, a duplicate word. `line` is the 1-based line of
 * the file (for word2vec binary files: the header is line 1 and record r is line r + 1).
 * @example
 * try { parseWord2Vec(text); } catch (e) { if (e instanceof VectorFileError) console.log(e.line); }
 */
export class VectorFileError extends ValueError {
  constructor(
    readonly format: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${format}: line ${line}: ${problem}`);
  }
}
