import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BYTE_TO_UNICODE, TokenizerError } from '../../src/text/byte-level';
import { Tokenizer } from '../../src/text/hf';
import { CharTokenizer } from '../../src/text/char-tokenizer';
import { WordTokenizer } from '../../src/text/word-tokenizer';
import { WordPieceTokenizer } from '../../src/text/wordpiece/tokenizer';
import { UnigramTokenizer } from '../../src/text/unigram/tokenizer';
import { FUZZ_PARAMETERS, anyText, withinTimeBound } from './fuzz-config';

const NORMALIZERS = [
  { type: 'NFC' },
  { type: 'NFD' },
  { type: 'NFKC' },
  { type: 'NFKD' },
  { type: 'Lowercase' },
  { type: 'StripAccents' },
  { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  { type: 'Replace', pattern: { Regex: '\\s*' }, content: '▁' },
  { type: 'Prepend', prepend: '▁' },
  { type: 'Strip', strip_left: true, strip_right: true },
  { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
];
const PRE_TOKENIZERS = [
  { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  { type: 'Whitespace' },
  { type: 'WhitespaceSplit' },
  { type: 'BertPreTokenizer' },
  { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  { type: 'Split', pattern: { Regex: 'x*|\\p{L}+' }, behavior: 'MergedWithNext', invert: false },
  { type: 'Digits', individual_digits: true },
  { type: 'Punctuation', behavior: 'Contiguous' },
  { type: 'CharDelimiterSplit', delimiter: '😀' },
  { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Split', pattern: { String: 'a' }, behavior: 'Removed' }] },
];
const DECODERS = [
  { type: 'ByteLevel' },
  { type: 'WordPiece', prefix: '##', cleanup: true },
  { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  { type: 'ByteFallback' },
  { type: 'Fuse' },
  { type: 'Strip', content: ' ', start: 1, stop: 0 },
  { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
  { type: 'BPEDecoder', suffix: '</w>' },
  { type: 'Sequence', decoders: [{ type: 'ByteFallback' }, { type: 'Fuse' }] },
];
const byteVocab = Object.fromEntries(BYTE_TO_UNICODE.map((char, id) => [char, id]));
const MODELS = [
  { type: 'BPE', vocab: { ...byteVocab, 'Ġa': 256, ab: 257 }, merges: ['Ġ a', 'a b'], byte_fallback: false },
  { type: 'BPE', vocab: { '<unk>': 0, a: 1, b: 2, ab: 3, '▁': 4 }, merges: ['a b'], unk_token: '<unk>', fuse_unk: true },
  { type: 'WordPiece', vocab: { '[UNK]': 0, a: 1, '##b': 2, b: 3, '##a': 4 }, unk_token: '[UNK]' },
  { type: 'Unigram', vocab: [['<unk>', 0], ['▁', -1], ['a', -2], ['b', -2], ['ab', -2.5], ['<0xF0>', -9]], unk_id: 0, byte_fallback: true },
];

function typeOf(component: object): string {
  return (component as { type: string }).type;
}

/** A component by index, remembering which types the run reached. */
const reached = { normalizer: new Set<string>(), preTokenizer: new Set<string>(), model: new Set<string>(), decoder: new Set<string>() };

const tokenizerConfig = fc.record({
  normalizer: fc.option(fc.constantFrom(...NORMALIZERS), { nil: undefined }),
  pre_tokenizer: fc.option(fc.constantFrom(...PRE_TOKENIZERS), { nil: undefined }),
  model: fc.constantFrom(...MODELS),
  decoder: fc.option(fc.constantFrom(...DECODERS), { nil: undefined }),
  added_tokens: fc.constantFrom([], [{ id: 900, content: '<s>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }], [{ id: 901, content: '😀x', single_word: true, normalized: true }]),
});

function isTypedError(error: unknown): boolean {
  return error instanceof TokenizerError;
}

describe('fuzz: Tokenizer.fromJSON + encode/decode', () => {
  it('every component combination encodes any text to ids or a TokenizerError, within the time bound', () => {
    fc.assert(
      fc.property(tokenizerConfig, anyText, (config, text) => {
        if (config.normalizer) reached.normalizer.add(typeOf(config.normalizer));
        if (config.pre_tokenizer) reached.preTokenizer.add(typeOf(config.pre_tokenizer));
        reached.model.add(typeOf(config.model));
        if (config.decoder) reached.decoder.add(typeOf(config.decoder));
        const tokenizer = Tokenizer.fromJSON(config);
        withinTimeBound('encode', () => {
          try {
            const ids = tokenizer.encode(text);
            expect(ids.every((id) => Number.isInteger(id) && id >= 0)).toBe(true);
            tokenizer.encodeFull(text);
            tokenizer.decode(ids);
          } catch (error) {
            if (!isTypedError(error)) throw error;
          }
        });
      }),
      FUZZ_PARAMETERS,
    );
  });

  it('reached every normalizer, pre-tokenizer, model and decoder type', () => {
    expect([...reached.normalizer].sort()).toEqual(NORMALIZERS.map(typeOf).sort());
    expect([...reached.preTokenizer].sort()).toEqual(PRE_TOKENIZERS.map(typeOf).sort());
    expect([...reached.model].sort()).toEqual([...new Set(MODELS.map(typeOf))].sort());
    expect([...reached.decoder].sort()).toEqual(DECODERS.map(typeOf).sort());
  });

  it('a byte-level BPE round-trips any well-formed text through encode and decode', () => {
    const tokenizer = Tokenizer.fromJSON({ model: MODELS[0], pre_tokenizer: PRE_TOKENIZERS[0], decoder: DECODERS[0] });
    fc.assert(
      fc.property(anyText.filter((text) => !/\p{Cs}/u.test(text)), (text) => {
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
      }),
      FUZZ_PARAMETERS,
    );
  });

  it('a mutated tokenizer.json loads or throws a TokenizerJSONError, and a loaded one encodes or throws a TokenizerError', () => {
    const mutation = fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)) });
    fc.assert(
      fc.property(tokenizerConfig, fc.array(mutation, { minLength: 1, maxLength: 3 }), anyText, (config, mutations, text) => {
        const json = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
        for (const { path, value } of mutations) mutate(json, path, value);
        let tokenizer: Tokenizer;
        try {
          tokenizer = withinTimeBound('fromJSON', () => Tokenizer.fromJSON(json));
        } catch (error) {
          if (isTypedError(error)) return;
          throw error;
        }
        withinTimeBound('encode', () => {
          try {
            tokenizer.decode(tokenizer.encode(text));
          } catch (error) {
            if (!isTypedError(error)) throw error;
          }
        });
      }),
      FUZZ_PARAMETERS,
    );
  });
});

/** Replaces (or deletes, for `undefined`) the value found by walking keys chosen by `path`. */
function mutate(root: Record<string, unknown>, path: number[], value: unknown): void {
  let node: unknown = root;
  for (let depth = 0; depth < path.length; depth++) {
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[path[depth]! % keys.length]!;
    if (depth === path.length - 1) {
      if (value === undefined) delete (node as Record<string, unknown>)[key];
      else (node as Record<string, unknown>)[key] = value;
      return;
    }
    node = (node as Record<string, unknown>)[key];
  }
}

describe("fuzz: every tokenizer's encode on arbitrary Unicode", () => {
  const tokenizers: [string, { encode(text: string): number[] }][] = [
    ['CharTokenizer', new CharTokenizer()],
    ['WordTokenizer', new WordTokenizer()],
    ['WordPieceTokenizer', new WordPieceTokenizer(['[UNK]', '[CLS]', '[SEP]', 'a', '##b', 'b'])],
    ['UnigramTokenizer', new UnigramTokenizer([['<unk>', 0], ['▁', -1], ['a', -2], ['b', -2], ['ab', -2.5]])],
  ];
  for (const [name, tokenizer] of tokenizers) {
    it(`${name} gives ids or a TokenizerError`, () => {
      fc.assert(
        fc.property(anyText, (text) => {
          withinTimeBound(name, () => {
            try {
              const ids = tokenizer.encode(text);
              expect(ids.every((id) => Number.isInteger(id))).toBe(true);
            } catch (error) {
              if (!isTypedError(error)) throw error;
            }
          });
        }),
        FUZZ_PARAMETERS,
      );
    });
  }
});
