/**
 * `UnigramTokenizer`: SentencePiece-style unigram tokenization — NFKC, spaces marked as `▁` (one
 * prepended to the text), Viterbi segmentation, byte fallback `<0xNN>` for characters outside the
 * vocabulary — with SentencePiece-style training. It runs on the same pipeline as `Tokenizer` and
 * exports a Hugging Face `tokenizer.json`.
 */
import { TokenizerError, assertString } from '../byte-level';
import { TokenizerFacade } from '../hf/tokenizer-facade';
import type { UnigramPiece } from './model';
import { trainUnigramPieces, type UnigramTrainOptions } from './trainer';

/** Options of {@link UnigramTokenizer}. */
export interface UnigramOptions {
  /** Id of the unknown piece. Default 0. */
  unkId?: number;
  /** Encode unknown characters as their UTF-8 bytes (`<0x00>`…`<0xFF>` must be pieces). Default false. */
  byteFallback?: boolean;
  /** Special pieces (never split; skipped by `decode({ skipSpecialTokens })`); all must be pieces. */
  specialTokens?: string[];
}

/** Options of {@link UnigramTokenizer.train}. */
export interface UnigramTokenizerTrainOptions extends UnigramTrainOptions {
  /** Add the 256 byte pieces and encode unknown characters as bytes. Default false. */
  byteFallback?: boolean;
  /** Special pieces placed first; the first is the unknown piece. Default `['<unk>', '<s>', '</s>']`. */
  specialTokens?: string[];
}

function byteToken(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/**
 * A SentencePiece-style unigram tokenizer.
 * @example
 * const tokenizer = UnigramTokenizer.train(mobyDick, { vocabSize: 8000, byteFallback: true });
 * tokenizer.encode('Call me Ishmael.'); // ids of ['▁Call', '▁me', '▁Ishmael', '.']
 * tokenizer.decode(tokenizer.encode('naïve 🐋')); // 'naïve 🐋'
 */
export class UnigramTokenizer extends TokenizerFacade {

  constructor(pieces: readonly UnigramPiece[], options: UnigramOptions = {}) {
    super('UnigramTokenizer');
    const unkId = options.unkId ?? 0;
    if (!Number.isInteger(unkId) || unkId < 0 || unkId >= pieces.length) throw new TokenizerError(`UnigramTokenizer: unkId ${unkId} is outside the ${pieces.length} pieces`);
    const ids = new Map(pieces.map(([piece], id) => [piece, id]));
    const specials = options.specialTokens ?? [pieces[unkId]![0]];
    for (const token of specials) if (!ids.has(token)) throw new TokenizerError(`UnigramTokenizer: special token ${JSON.stringify(token)} is not a piece`);
    const byteFallback = options.byteFallback ?? false;
    if (byteFallback && !ids.has('<0x00>')) throw new TokenizerError('UnigramTokenizer: byteFallback needs the pieces <0x00>…<0xFF>');
    const json = {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials.map((content) => ({ id: ids.get(content)!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: { type: 'NFKC' },
      pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
      post_processor: null,
      decoder: {
        type: 'Sequence',
        decoders: [
          { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
          { type: 'ByteFallback' },
          { type: 'Fuse' },
          { type: 'Strip', content: ' ', start: 1, stop: 0 },
        ],
      },
      model: { type: 'Unigram', unk_id: unkId, vocab: pieces.map(([piece, score]) => [piece, score]), byte_fallback: byteFallback },
    };
    this.load(json);
  }

  /**
   * Trains on `corpus` (a string or strings) to `vocabSize` pieces in all (special and byte pieces included).
   * @example
   * UnigramTokenizer.train(text, { vocabSize: 8000 });
   */
  static train(corpus: string | Iterable<string>, options: UnigramTokenizerTrainOptions): UnigramTokenizer {
    const specialTokens = options.specialTokens ?? ['<unk>', '<s>', '</s>'];
    const byteFallback = options.byteFallback ?? false;
    const reserved = specialTokens.length + (byteFallback ? 256 : 0);
    if (!Number.isInteger(options.vocabSize) || options.vocabSize <= reserved) {
      throw new TokenizerError(`UnigramTokenizer.train: vocabSize ${options.vocabSize} must be an integer above the ${reserved} special and byte pieces`);
    }
    // Words exactly as the encoding pipeline sees them (NFKC, `▁` marking).
    const splitter = new UnigramTokenizer([['<unk>', 0]]).tokenizer;
    const counts = new Map<string, number>();
    const texts = typeof corpus === 'string' ? [corpus] : corpus;
    for (const text of texts) {
      assertString(text, 'UnigramTokenizer.train');
      for (const word of splitter.preTokenizeForTraining(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    const learned = trainUnigramPieces(counts, { ...options, vocabSize: options.vocabSize - reserved });
    const pieces: UnigramPiece[] = specialTokens.map((token) => [token, 0]);
    if (byteFallback) for (let byte = 0; byte < 256; byte++) pieces.push([byteToken(byte), 0]);
    const taken = new Set(pieces.map(([piece]) => piece));
    for (const piece of learned) if (!taken.has(piece[0])) pieces.push(piece);
    return new UnigramTokenizer(pieces, { unkId: 0, byteFallback, specialTokens });
  }
}

