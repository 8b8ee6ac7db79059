import { describe, expect, it } from 'vitest';
import { UnigramModel } from '../../src/text/unigram/model';

function ids(model: UnigramModel, text: string): number[] {
  const sink = { ids: [] as number[], starts: null, ends: null };
  model.tokenize(text, sink);
  return sink.ids;
}

describe('Unigram on hostile vocabularies and text', () => {
  it('one 100,000-character piece does not slow down encoding 100 KB', () => {
    const model = new UnigramModel(
      [
        ['<unk>', 0],
        ['a', -1],
        ['b', -1],
        ['ab', -1.5],
        ['a'.repeat(100_000), -3],
      ],
      { unkId: 0 },
    );
    const text = 'ab'.repeat(50_000);
    const started = performance.now();
    const result = ids(model, text);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toEqual(Array<number>(50_000).fill(3));
  });

  it('the character after a lone surrogate is not swallowed into <unk>', () => {
    const model = new UnigramModel(
      [
        ['<unk>', 0],
        ['a', -1],
        ['😀', -1],
      ],
      { unkId: 0 },
    );
    expect(ids(model, '\ud800a')).toEqual([0, 1]);
    expect(ids(model, 'a\udc00\ud83d\ude00')).toEqual([1, 0, 2]);
    expect(ids(model, '\ud83d')).toEqual([0]);
  });
});
