import { beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer, TokenizerJSONError } from '../../src/text/hf';
import { TokenizerError } from '../../src/text/byte-level';
import { llama3TokenizerJSON, oracle } from './oracle';
import { expectSame } from './same';
import { STRESS_STRINGS, mobyDick } from './stress';

describe("Tokenizer.fromJSON on Llama 3's byte-level BPE tokenizer.json", () => {
  let json: string;
  let ours: Tokenizer;
  let reference: ReturnType<typeof oracle>;
  beforeAll(() => {
    json = llama3TokenizerJSON();
    ours = Tokenizer.fromJSON(json);
    reference = oracle(json);
  });

  it('gives the ids of @huggingface/tokenizers on all of Moby Dick', () => {
    const text = mobyDick();
    expectSame(ours.encode(text), reference.encode(text).ids);
  }, 30_000);

  it('gives the ids of @huggingface/tokenizers on the Unicode stress strings, and decodes them the same', () => {
    for (const text of [...STRESS_STRINGS, 'x <|begin_of_text|>y<|eot_id|> \u0085\ufeff', '    \t\t\r\n  '.repeat(20)]) {
      const ids = ours.encode(text);
      expect(ids, JSON.stringify(text)).toEqual(reference.encode(text).ids);
      if (ids.length > 0) expect(ours.decode(ids)).toBe(reference.decode(ids));
    }
  });

  it('round-trips any text through encode and decode', () => {
    for (const text of STRESS_STRINGS) expect(ours.decode(ours.encode(text))).toBe(text);
  });

  it('splits out special tokens and can skip them when decoding', () => {
    const ids = ours.encode('<|begin_of_text|>Hello');
    expect(ids[0]).toBe(128000);
    expect(ours.decode(ids, { skipSpecialTokens: true })).toBe('Hello');
  });

  it('reports tokens and offsets into the original text', () => {
    const text = 'Hello world, héllo 👋';
    const encoding = ours.encodeFull(text);
    expect(encoding.ids).toEqual(ours.encode(text));
    expect(encoding.tokens.slice(0, 2)).toEqual(['Hello', 'Ġworld']);
    expect(encoding.offsets.slice(0, 2)).toEqual([[0, 5], [5, 11]]);
    const last = encoding.offsets[encoding.offsets.length - 1]!;
    expect(text.slice(last[0], last[1])).toContain('👋');
    expect(encoding.attentionMask.every((value) => value === 1)).toBe(true);
  });

  it('toJSON round-trips to a tokenizer with the same ids', () => {
    const again = Tokenizer.fromJSON(ours.toJSON());
    const text = mobyDick().slice(0, 20_000);
    expectSame(again.encode(text), ours.encode(text));
  });
});

describe('Tokenizer bad input', () => {
  const base = {
    model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b'] },
    pre_tokenizer: { type: 'Whitespace' },
  };

  it('names the JSON path of a bad field', () => {
    const bad = (patch: object, path: string): void => {
      const error = (() => {
        try {
          Tokenizer.fromJSON(JSON.stringify({ ...base, ...patch }));
        } catch (caught) {
          return caught;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(TokenizerJSONError);
      expect((error as TokenizerJSONError).path).toBe(path);
      expect((error as Error).message).toContain(path);
    };
    bad({ model: { ...base.model, merges: ['a b', 12] } }, 'model.merges[1]');
    bad({ model: { ...base.model, merges: ['a c'] } }, 'model.merges[0]');
    bad({ model: { ...base.model, vocab: { a: -1 } } }, 'model.vocab.a');
    bad({ model: { ...base.model, type: 'Nope' } }, 'model.type');
    bad({ pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(' }, behavior: 'Isolated' }] } }, 'pre_tokenizer.pretokenizers[0].pattern.Regex');
    bad({ normalizer: { type: 'Replace', pattern: { Nope: 1 }, content: '' } }, 'normalizer.pattern');
    bad({ added_tokens: [{ id: 'x', content: '<s>' }] }, 'added_tokens[0].id');
    bad({ decoder: { type: 'Strip', start: -1 } }, 'decoder.start');
    expect(() => Tokenizer.fromJSON('{not json')).toThrow(TokenizerJSONError);
  });

  it('rejects unknown special tokens in a template', () => {
    const template = { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }], special_tokens: {} };
    expect(() => Tokenizer.fromJSON({ ...base, post_processor: template })).toThrow(/post_processor\.single\[0\]\.SpecialToken\.id: unknown special token "\[CLS\]"/);
  });

  it('rejects ids out of range in decode and non-string input', () => {
    const tokenizer = Tokenizer.fromJSON(base);
    expect(tokenizer.encode('ab a')).toEqual([2, 0]);
    expect(() => tokenizer.decode([0, 7])).toThrow(/id 7 at index 1 is not in the vocabulary/);
    expect(() => tokenizer.decode([-1])).toThrow(TokenizerError);
    expect(() => tokenizer.encode(42 as unknown as string)).toThrow(/Tokenizer.encode: expected a string, got number/);
    expect(() => tokenizer.encode(null as unknown as string)).toThrow(TokenizerError);
  });
});
