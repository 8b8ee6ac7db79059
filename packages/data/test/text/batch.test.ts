import { describe, expect, it } from 'vitest';
import '@tessera/backend-cpu';
import { BPETokenizer, TokenizerError, WordTokenizer, encodeBatch } from '../../src/text/index';

const words = new WordTokenizer();
words.fit(['hello world', 'hi there friend'], { specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] });
const id = (token: string): number => words.vocab!.tokenToId(token);

describe('encodeBatch', () => {
  it('pads right or left with attention masks', () => {
    const right = encodeBatch(words, ['hello world', 'hi'], { padding: true });
    expect(right.inputIds).toEqual([[id('hello'), id('world')], [id('hi'), 0]]);
    expect(right.attentionMask).toEqual([[1, 1], [1, 0]]);
    expect(right.lengths).toEqual([2, 1]);
    const left = encodeBatch(words, ['hello world', 'hi'], { padding: 'longest', paddingSide: 'left', padId: 9 });
    expect(left.inputIds).toEqual([[id('hello'), id('world')], [9, id('hi')]]);
    expect(left.attentionMask).toEqual([[1, 1], [0, 1]]);
    expect(encodeBatch(words, ['hi'], { padding: 'maxLength', maxLength: 3 }).inputIds).toEqual([[id('hi'), 0, 0]]);
  });

  it('truncates right or left to maxLength, special tokens included', () => {
    const text = 'hi there friend';
    expect(encodeBatch(words, [text], { maxLength: 2 }).inputIds).toEqual([[id('hi'), id('there')]]);
    expect(encodeBatch(words, [text], { maxLength: 2, truncationSide: 'left' }).inputIds).toEqual([[id('there'), id('friend')]]);
    expect(encodeBatch(words, [text], { maxLength: 4, clsId: 2, sepId: 3 }).inputIds).toEqual([[2, id('hi'), id('there'), 3]]);
  });

  it('pairs get token type ids and longest-first truncation', () => {
    const batch = encodeBatch(words, [['hello world', 'hi there friend']], { clsId: 2, sepId: 3, maxLength: 7 });
    expect(batch.inputIds).toEqual([[2, id('hello'), id('world'), 3, id('hi'), id('there'), 3]]);
    expect(batch.tokenTypeIds).toEqual([[0, 0, 0, 0, 1, 1, 1]]);
  });

  it('character offsets from BPE tokens, [0, 0] for special and pad tokens', () => {
    const bpe = BPETokenizer.train('héllo wörld hello world', { vocabSize: 270, minFrequency: 1 });
    const text = 'héllo 👋 world';
    const { ids, offsets } = bpe.encodeWithOffsets(text);
    expect(ids).toEqual(bpe.encode(text));
    for (const [start, end] of offsets) expect(start).toBeLessThanOrEqual(end);
    expect(offsets[0]![0]).toBe(0);
    expect(offsets[offsets.length - 1]![1]).toBe(text.length);
    const batch = encodeBatch(bpe, [text, 'hi'], { padding: true, returnOffsets: true, bosId: 0 });
    expect(batch.offsets![0]![0]).toEqual([0, 0]);
    expect(batch.offsets![1]![batch.offsets![1]!.length - 1]).toEqual([0, 0]);
  });

  it('int32 tensors on request', async () => {
    const batch = encodeBatch(words, ['hello world', 'hi'], { padding: true });
    const { inputIds, attentionMask, tokenTypeIds } = await batch.toTensors();
    expect(inputIds.shape).toEqual([2, 2]);
    expect(inputIds.dtype).toBe('int32');
    expect(await attentionMask.array()).toEqual([[1, 1], [1, 0]]);
    for (const t of [inputIds, attentionMask, tokenTypeIds]) t.dispose();
    await expect(encodeBatch(words, ['hello world', 'hi']).toTensors()).rejects.toThrow(/different lengths/);
  });

  it('bad input', () => {
    expect(() => encodeBatch(words, 'hi' as unknown as string[])).toThrow(/single string/);
    expect(() => encodeBatch(words, ['a', 3 as unknown as string])).toThrow(/text 1 is number/);
    expect(() => encodeBatch(words, ['a'], { padding: 'maxLength' })).toThrow(TokenizerError);
    expect(() => encodeBatch({} as never, ['a'])).toThrow(/encode\(text\)/);
  });
});
