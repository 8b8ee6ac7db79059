/**
 * The run's tokenizer: characters (nanoGPT's char vocabulary: every code point of the text, in code-point
 * order) or byte-level BPE trained on the text by `@tessera/data`. Both are saved as a Hugging Face
 * `tokenizer.json` (characters as a BPE model without merges) and loaded back with data's `Tokenizer`,
 * so `pnpm generate` needs only the run folder.
 */
import { ValueError } from '@tessera/core';
import { BPETokenizer, CharTokenizer, Tokenizer, Vocab } from '@tessera/data';

/** What training and sampling need from a tokenizer. */
export interface RunTokenizer {
  readonly kind: 'char' | 'bpe';
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The `tokenizer.json` text. */
  toJSON(): string;
}

/** The distinct code points of `text`, in code-point order (Python's `sorted(set(text))`). */
export function characterSet(text: string): string[] {
  return [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/**
 * A character tokenizer as `tokenizer.json`: a BPE model whose vocabulary is the characters and that has
 * no merges and no pre-tokenizer, so every code point is one token (Hugging Face's tokenizers agree).
 */
function charTokenizerJSON(chars: readonly string[]): string {
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: Object.fromEntries(chars.map((char, id) => [char, id])),
      merges: [],
    },
  });
}

/**
 * A character tokenizer over the characters of `text`.
 * @example
 * const chars = charTokenizer('hello');
 * chars.encode('he'); // [1, 0]  (vocabulary e h l o)
 */
export function charTokenizer(text: string): RunTokenizer {
  const chars = characterSet(text);
  const tokenizer = new CharTokenizer({ vocab: new Vocab(chars, { specialTokens: [], unkToken: null }) });
  const known = new Set(chars);
  return {
    kind: 'char',
    vocabSize: chars.length,
    encode(input: string) {
      const unknown = [...new Set(input)].filter((char) => !known.has(char));
      if (unknown.length) throw new ValueError(`char tokenizer: ${JSON.stringify(unknown.join(''))} not in the training text's ${chars.length} characters`);
      return tokenizer.encode(input);
    },
    decode: (ids) => tokenizer.decode(ids),
    toJSON: () => charTokenizerJSON(chars),
  };
}

/**
 * A byte-level BPE tokenizer trained on `text` (GPT-2's split pattern), `vocabSize` tokens in all.
 * @example
 * bpeTokenizer(text, 512).encode('Call me Ishmael.');
 */
export function bpeTokenizer(text: string, vocabSize: number): RunTokenizer {
  const tokenizer = BPETokenizer.train(text, { vocabSize });
  return { kind: 'bpe', vocabSize: tokenizer.vocabSize, encode: (input) => tokenizer.encode(input), decode: (ids) => tokenizer.decode(ids), toJSON: () => tokenizer.toJSON() };
}

/**
 * The tokenizer saved in a run folder's `tokenizer.json`.
 * @example
 * const tokenizer = loadTokenizer(readFileSync('runs/x/tokenizer.json', 'utf8'), 'char');
 */
export function loadTokenizer(json: string, kind: 'char' | 'bpe'): RunTokenizer {
  const tokenizer = Tokenizer.fromJSON(json);
  const vocabSize = tokenizer.vocabSize;
  return {
    kind,
    vocabSize,
    encode(input: string) {
      const ids = tokenizer.encode(input);
      // A BPE model without an unknown token drops characters it has never seen: say so instead.
      if (kind === 'char' && ids.length !== [...input].length) {
        const unknown = [...new Set(input)].filter((char) => tokenizer.tokenToId(char) === undefined);
        throw new ValueError(`char tokenizer: ${JSON.stringify(unknown.join(''))} not in the training text's ${vocabSize} characters`);
      }
      return ids;
    },
    decode: (ids) => tokenizer.decode(ids),
    toJSON: () => json,
  };
}
