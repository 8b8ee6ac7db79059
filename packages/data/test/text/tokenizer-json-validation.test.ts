import { describe, expect, it } from 'vitest';
import { Tokenizer, TokenizerJSONError } from '../../src/text/hf';

const model = { type: 'BPE', vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b'] };

/** The TokenizerJSONError that loading `json` throws; fails the test on any other outcome. */
function rejection(json: unknown): TokenizerJSONError {
  try {
    Tokenizer.fromJSON(json as object);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenizerJSONError);
    return error as TokenizerJSONError;
  }
  throw new Error('expected a TokenizerJSONError');
}

describe('tokenizer.json validation, as the reference implementation', () => {
  it('rejects token ids at or beyond 2³¹ in the vocabulary, added tokens and templates', () => {
    expect(rejection({ model: { ...model, vocab: { a: 0, b: 2 ** 31, ab: 2 } } }).path).toBe('model.vocab.b');
    expect(rejection({ model: { ...model, vocab: { a: 0, b: 2 ** 40, ab: 2 } } }).message).toMatch(/token id/);
    expect(rejection({ model, added_tokens: [{ id: 2 ** 32, content: '<s>' }] }).path).toBe('added_tokens[0].id');
    const template = (ids: number[], tokens: string[]): object => ({
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids, tokens } },
    });
    expect(rejection({ model, post_processor: template([2 ** 31], ['<s>']) }).path).toBe('post_processor.special_tokens["<s>"].ids[0]');
    expect(() => Tokenizer.fromJSON({ model, post_processor: template([2], ['<s>']) })).not.toThrow();
  });

  it('rejects two tokens sharing one id', () => {
    const error = rejection({ model: { ...model, vocab: { a: 0, b: 0, ab: 2 } } });
    expect(error.path).toBe('model.vocab.b');
    expect(error.message).toMatch(/id 0 is already used by "a"/);
  });

  it('rejects a multi-character CharDelimiterSplit delimiter', () => {
    expect(rejection({ model, pre_tokenizer: { type: 'CharDelimiterSplit', delimiter: 'ab' } }).path).toBe('pre_tokenizer.delimiter');
    expect(Tokenizer.fromJSON({ model, pre_tokenizer: { type: 'CharDelimiterSplit', delimiter: '😀' } }).encode('a😀b')).toEqual([0, 1]);
  });

  it('rejects a template special token whose ids and tokens differ in length', () => {
    const error = rejection({
      model,
      post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }], pair: [], special_tokens: { x: { id: 'x', ids: [0, 1], tokens: ['a'] } } },
    });
    expect(error.path).toBe('post_processor.special_tokens.x.tokens');
  });

  it('every missing required field is a TokenizerJSONError naming it', () => {
    expect(rejection({}).path).toBe('model');
    expect(rejection({ model: {} }).path).toBe('model.type');
    expect(rejection({ model, pre_tokenizer: { type: 'Split', behavior: 'Isolated' } }).path).toBe('pre_tokenizer.pattern');
    expect(rejection({ model, added_tokens: [{ content: '<s>' }] }).path).toBe('added_tokens[0].id');
    expect(rejection({ model, normalizer: { type: 'Replace', pattern: { String: 'a' } } }).message).toMatch(/normalizer\.content: expected a string, got nothing/);
  });

  it('a hole in a sparse array (found by the fuzzer) is a TokenizerJSONError naming the element', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(rejection({ model, added_tokens: [, { id: 5, content: '<s>' }] }).path).toBe('added_tokens[0]');
  });

    it('bounds Sequence nesting depth', () => {
    for (const [key, list] of [
      ['normalizer', 'normalizers'],
      ['pre_tokenizer', 'pretokenizers'],
      ['decoder', 'decoders'],
      ['post_processor', 'processors'],
    ] as const) {
      let nested: object = { type: 'Sequence', [list]: [] };
      for (let i = 0; i < 20_000; i++) nested = { type: 'Sequence', [list]: [nested] };
      expect(rejection({ model, [key]: nested }).message, key).toMatch(/Sequence nested deeper than 64 levels/);
    }
  });
});
