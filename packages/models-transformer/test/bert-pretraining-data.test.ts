import { describe, expect, it } from 'vitest';
import { encodeBatch, WordPieceTokenizer } from '@tessera/data';
import { maskTokensForMLM, nextSentencePairs } from '../src/bert/pretraining-data';

const SPECIALS = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };

describe('maskTokensForMLM (BERT masked-LM corruption)', () => {
  // 400 rows of [CLS] 60 tokens [SEP] [PAD] [PAD]: 24 000 ordinary tokens.
  const rows = Array.from({ length: 400 }, (_, r) => [SPECIALS.cls, ...Array.from({ length: 60 }, (_, i) => 5 + ((r * 61 + i * 7) % 995)), SPECIALS.sep, SPECIALS.pad, SPECIALS.pad]);
  const options = { maskTokenId: SPECIALS.mask, vocabSize: 1000, specialTokenIds: [SPECIALS.pad, SPECIALS.cls, SPECIALS.sep, SPECIALS.mask], seed: 7 };
  const { inputIds, labels } = maskTokensForMLM(rows, options);

  it('chooses 15 % of the ordinary tokens, never a special token; labels hold the original id there and −100 elsewhere', () => {
    let chosen = 0;
    let ordinary = 0;
    const violations: string[] = [];
    rows.forEach((row, r) =>
      row.forEach((id, i) => {
        const special = options.specialTokenIds.includes(id);
        if (!special) ordinary++;
        if (labels[r][i] !== -100) {
          chosen++;
          if (special) violations.push(`special token ${id} chosen at [${r}, ${i}]`);
          if (labels[r][i] !== id) violations.push(`label ${labels[r][i]} ≠ id ${id} at [${r}, ${i}]`);
        } else if (inputIds[r][i] !== id) {
          violations.push(`unchosen position [${r}, ${i}] changed`);
        }
      }),
    );
    expect(violations).toEqual([]);
    // Binomial(24 000, 0.15): standard deviation ≈ 55 tokens; allow 5.
    expect(Math.abs(chosen - 0.15 * ordinary)).toBeLessThan(5 * Math.sqrt(ordinary * 0.15 * 0.85));
  });

  it('a chosen token becomes [MASK] 80 %, a random token 10 %, stays 10 % of the time', () => {
    let masked = 0;
    let kept = 0;
    let replaced = 0;
    rows.forEach((row, r) =>
      row.forEach((id, i) => {
        if (labels[r][i] === -100) return;
        if (inputIds[r][i] === SPECIALS.mask) masked++;
        else if (inputIds[r][i] === id) kept++;
        else replaced++;
      }),
    );
    const chosen = masked + kept + replaced;
    expect(masked / chosen).toBeCloseTo(0.8, 1);
    // A random replacement draws the original token 1 time in 1000: "kept" gains ~0.01 %.
    expect(Math.abs(kept / chosen - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(replaced / chosen - 0.1)).toBeLessThan(0.02);
  });

  it('is seeded: the same seed gives the same corruption, another seed another', () => {
    expect(maskTokensForMLM(rows, options)).toEqual({ inputIds, labels });
    expect(maskTokensForMLM(rows, { ...options, seed: 8 }).labels).not.toEqual(labels);
  });

  it('rejects bad options by name', () => {
    expect(() => maskTokensForMLM(rows, { ...options, mlmProbability: 1.5 })).toThrow(/mlmProbability must be in \[0, 1\]/);
    expect(() => maskTokensForMLM(rows, { ...options, maskProbability: 0.95, randomProbability: 0.1 })).toThrow(/must be ≤ 1/);
    expect(() => maskTokensForMLM(rows, { ...options, maskTokenId: 1000 })).toThrow(/maskTokenId must be an id in \[0, 999\]/);
  });
});

describe('nextSentencePairs (BERT next-sentence prediction)', () => {
  const documents = Array.from({ length: 20 }, (_, d) => Array.from({ length: 30 }, (_, s) => `d${d}s${s}`));
  const pairs = nextSentencePairs(documents, { seed: 3 });
  const where = (sentence: string) => sentence.match(/^d(\d+)s(\d+)$/)!.slice(1).map(Number);

  it('one pair per sentence with a successor; label 0 pairs are true successors, label 1 pairs a sentence of another document', () => {
    expect(pairs).toHaveLength(20 * 29);
    for (const { first, second, nextSentenceLabel } of pairs) {
      const [d1, s1] = where(first);
      const [d2, s2] = where(second);
      if (nextSentenceLabel === 0) expect([d2, s2]).toEqual([d1, s1 + 1]);
      else expect(d2).not.toBe(d1);
    }
  });

  it('half of the pairs are random, and the random sentences are spread over the corpus', () => {
    const random = pairs.filter((pair) => pair.nextSentenceLabel === 1);
    // Binomial(580, 0.5): standard deviation 12; allow 4.
    expect(Math.abs(random.length - 290)).toBeLessThan(48);
    expect(new Set(random.map((pair) => where(pair.second)[0])).size).toBeGreaterThan(15);
    expect(nextSentencePairs(documents, { seed: 3 })).toEqual(pairs);
  });

  it('with one document, a random second sentence is never the true successor', () => {
    const single = nextSentencePairs([documents[0]], { seed: 1, randomProbability: 1 });
    for (const { first, second } of single) expect(where(second)[1]).not.toBe(where(first)[1] + 1);
  });
});

describe('WordPiece pair encoding for BERT (the tokenizer side lives in @tessera/data)', () => {
  it('encodeBatch builds [CLS] a [SEP] b [SEP] with token-type ids, longest-first truncation and padding', () => {
    const tokenizer = WordPieceTokenizer.train(['the whale swam in the sea', 'the ship sailed on the sea', 'call me ishmael'], { vocabSize: 60 });
    const plain = { encode: (text: string) => tokenizer.encode(text, { addSpecialTokens: false }) };
    const cls = tokenizer.tokenToId('[CLS]')!;
    const sep = tokenizer.tokenToId('[SEP]')!;
    const pad = tokenizer.tokenToId('[PAD]')!;
    const a = plain.encode('the whale swam');
    const b = plain.encode('call me ishmael');
    const batch = encodeBatch(plain, [['the whale swam', 'call me ishmael']], { clsId: cls, sepId: sep, maxLength: a.length + b.length + 5, padding: 'maxLength', padId: pad });
    expect(batch.inputIds[0]).toEqual([cls, ...a, sep, ...b, sep, pad, pad]);
    expect(batch.tokenTypeIds[0]).toEqual([0, ...a.map(() => 0), 0, ...b.map(() => 1), 1, 0, 0]);
    expect(batch.attentionMask[0]).toEqual([...new Array(a.length + b.length + 3).fill(1), 0, 0]);
    // The post-processor of the tokenizer itself gives the same ids and types.
    const full = tokenizer.encodeFull('the whale swam', { pair: 'call me ishmael' });
    expect(full.ids).toEqual(batch.inputIds[0].slice(0, full.ids.length));
    expect(full.typeIds).toEqual(batch.tokenTypeIds[0].slice(0, full.ids.length));
  });
});
