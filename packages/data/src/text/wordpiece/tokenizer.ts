/**
 * `WordPieceTokenizer`: BERT's tokenizer — BERT normalization (clean text, CJK spacing, accent
 * stripping, lowercasing), BERT pre-tokenization, greedy longest-match-first WordPiece with `##`
 * continuations and `[UNK]` past `maxInputCharsPerWord` — with vocabulary training. It runs on the
 * same pipeline as `Tokenizer` and exports a Hugging Face `tokenizer.json`.
 */
import { TokenizerError, assertString } from '../byte-level';
import { TokenizerFacade } from '../hf/tokenizer-facade';
import { Segment } from '../hf/segment';
import { bertNormalize, bertPreTokenize } from './bert';
import { trainWordPieceVocab, type WordPieceTrainOptions } from './trainer';

/** Options of {@link WordPieceTokenizer}. */
export interface WordPieceOptions {
  unkToken?: string;
  continuingSubwordPrefix?: string;
  maxInputCharsPerWord?: number;
  lowercase?: boolean;
  /** `null` follows `lowercase`. */
  stripAccents?: boolean | null;
  handleChineseChars?: boolean;
  cleanText?: boolean;
  /** Special tokens (never split, skipped by `decode({ skipSpecialTokens })`); all must be in the vocabulary. */
  specialTokens?: string[];
  clsToken?: string;
  sepToken?: string;
}

const DEFAULT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function readCorpus(corpus: string | Iterable<string>, op: string): Iterable<string> {
  if (typeof corpus === 'string') return [corpus];
  if (corpus === null || typeof corpus !== 'object' || !(Symbol.iterator in corpus)) throw new TokenizerError(`${op}: expected a string or an iterable of strings`);
  return corpus;
}

/**
 * BERT's WordPiece tokenizer.
 * @example
 * const tokenizer = WordPieceTokenizer.train(corpus, { vocabSize: 8000 });
 * tokenizer.encode('Call me Ishmael.'); // [2, …, 3]  ([CLS] … [SEP])
 * tokenizer.decode(ids, { skipSpecialTokens: true }); // 'call me ishmael.'
 */
export class WordPieceTokenizer extends TokenizerFacade {

  constructor(vocab: string[] | Map<string, number>, options: WordPieceOptions = {}) {
    super('WordPieceTokenizer');
    const vocabMap = Array.isArray(vocab) ? new Map(vocab.map((token, id) => [token, id])) : vocab;
    const unkToken = options.unkToken ?? '[UNK]';
    const specials = options.specialTokens ?? DEFAULT_SPECIALS.filter((token) => vocabMap.has(token));
    if (!specials.includes(unkToken)) specials.push(unkToken);
    for (const token of specials) {
      if (!vocabMap.has(token)) throw new TokenizerError(`WordPieceTokenizer: special token ${JSON.stringify(token)} is not in the vocabulary`);
    }
    const cls = options.clsToken ?? '[CLS]';
    const sep = options.sepToken ?? '[SEP]';
    const hasTemplate = vocabMap.has(cls) && vocabMap.has(sep);
    const json = {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials.map((content) => ({ id: vocabMap.get(content)!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: options.cleanText ?? true,
        handle_chinese_chars: options.handleChineseChars ?? true,
        strip_accents: options.stripAccents ?? null,
        lowercase: options.lowercase ?? true,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: hasTemplate
        ? {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
            pair: [
              { SpecialToken: { id: cls, type_id: 0 } },
              { Sequence: { id: 'A', type_id: 0 } },
              { SpecialToken: { id: sep, type_id: 0 } },
              { Sequence: { id: 'B', type_id: 1 } },
              { SpecialToken: { id: sep, type_id: 1 } },
            ],
            special_tokens: {
              [cls]: { id: cls, ids: [vocabMap.get(cls)!], tokens: [cls] },
              [sep]: { id: sep, ids: [vocabMap.get(sep)!], tokens: [sep] },
            },
          }
        : null,
      decoder: { type: 'WordPiece', prefix: options.continuingSubwordPrefix ?? '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: unkToken,
        continuing_subword_prefix: options.continuingSubwordPrefix ?? '##',
        max_input_chars_per_word: options.maxInputCharsPerWord ?? 100,
        vocab: Object.fromEntries(vocabMap),
      },
    };
    this.load(json);
  }

  /**
   * Learns a vocabulary from `corpus` (a string or strings) and returns the tokenizer.
   * @example
   * WordPieceTokenizer.train(['hello world', 'hello there'], { vocabSize: 100 });
   */
  static train(corpus: string | Iterable<string>, options: WordPieceTrainOptions & Omit<WordPieceOptions, 'specialTokens'>): WordPieceTokenizer {
    const counts = new Map<string, number>();
    const normalize = { cleanText: options.cleanText, handleChineseChars: options.handleChineseChars, stripAccents: options.stripAccents, lowercase: options.lowercase };
    for (const text of readCorpus(corpus, 'WordPieceTokenizer.train')) {
      assertString(text, 'WordPieceTokenizer.train');
      for (const word of bertPreTokenize(bertNormalize(Segment.verbatim(text), normalize, false))) counts.set(word.text, (counts.get(word.text) ?? 0) + 1);
    }
    const specialTokens = options.specialTokens ?? DEFAULT_SPECIALS;
    const vocab = trainWordPieceVocab(counts, { ...options, specialTokens });
    return new WordPieceTokenizer(vocab, { ...options, specialTokens });
  }

  /**
   * Loads BERT's `vocab.txt` (one token per line, id = line number).
   * @example
   * WordPieceTokenizer.fromVocabText(readFileSync('vocab.txt', 'utf8'));
   */
  static fromVocabText(text: string, options: WordPieceOptions = {}): WordPieceTokenizer {
    assertString(text, 'WordPieceTokenizer.fromVocabText');
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    return new WordPieceTokenizer(lines, options);
  }
}
