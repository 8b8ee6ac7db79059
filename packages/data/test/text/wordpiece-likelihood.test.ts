import { describe, expect, it } from 'vitest';
import { TokenizerError } from '../../src/text/byte-level';
import { WordPieceTokenizer } from '../../src/text/wordpiece/tokenizer';
import { trainWordPieceVocab } from '../../src/text/wordpiece/trainer';
import { mobyDick } from './stress';

/**
 * A plain reference: after each merge, re-segment every word and rescore every pair from scratch,
 * score = count(ab) / (count(a)·count(b)), best score first, ties to the pair of smaller ids.
 */
function referenceLikelihoodVocab(wordCounts: Map<string, number>, vocabSize: number, specialTokens: string[], minFrequency = 2): string[] {
  const tokens = [...specialTokens];
  const idOf = (token: string): number => {
    const at = tokens.indexOf(token);
    return at >= 0 ? at : tokens.push(token) - 1;
  };
  const alphabet = [...new Set([...wordCounts.keys()].flatMap((word) => [...word]))].sort();
  alphabet.forEach(idOf);
  let words = [...wordCounts.entries()].map(([word, count]) => ({ symbols: [...word].map((c, i) => idOf(i === 0 ? c : `##${c}`)), count }));
  while (tokens.length < vocabSize) {
    const symbolCounts = new Map<number, number>();
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      symbols.forEach((s) => symbolCounts.set(s, (symbolCounts.get(s) ?? 0) + count));
      for (let i = 0; i + 1 < symbols.length; i++) pairCounts.set(`${symbols[i]},${symbols[i + 1]}`, (pairCounts.get(`${symbols[i]},${symbols[i + 1]}`) ?? 0) + count);
    }
    let best: { left: number; right: number; score: number } | undefined;
    for (const [key, count] of pairCounts) {
      if (count < minFrequency) continue;
      const [left, right] = key.split(',').map(Number);
      const score = count / (symbolCounts.get(left)! * symbolCounts.get(right)!);
      if (!best || score > best.score || (score === best.score && (left < best.left || (left === best.left && right < best.right)))) best = { left, right, score };
    }
    if (!best) break;
    const { left, right } = best;
    const merged = idOf(tokens[left] + tokens[right].replace(/^##/, ''));
    words = words.map(({ symbols, count }) => {
      const next: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
          next.push(merged);
          i++;
        } else next.push(symbols[i]);
      }
      return { symbols: next, count };
    });
  }
  return tokens;
}

describe("WordPiece training by likelihood (scoring: 'likelihood')", () => {
  const counts = new Map([
    ['hug', 10], ['pug', 5], ['pun', 12], ['bun', 4], ['hugs', 5], ['quiz', 3], ['quit', 4], ['thus', 9], ['the', 20], ['then', 6], ['that', 7],
  ]);

  it('merges the pair whose parts occur together more than their frequencies predict, not the most frequent pair', () => {
    const specials = ['[UNK]'];
    const byFrequency = trainWordPieceVocab(counts, { vocabSize: 30, specialTokens: specials });
    const byLikelihood = trainWordPieceVocab(counts, { vocabSize: 30, specialTokens: specials, scoring: 'likelihood' });
    // Training to size 1 stops before any merge: what comes after those tokens is the first merge.
    const base = trainWordPieceVocab(counts, { vocabSize: 1, specialTokens: specials }).length;
    const firstMerge = (vocab: string[]): string => vocab[base];
    // "z" only ever follows "i" (quiz): 3 / (7·3) beats the frequent "t h" (42 / (42·42)).
    expect(firstMerge(byFrequency)).toBe('th');
    expect(firstMerge(byLikelihood)).toBe('##iz');
  });

  it('learns the same vocabulary as a from-scratch reference that rescores every pair after each merge', () => {
    expect(trainWordPieceVocab(counts, { vocabSize: 40, specialTokens: ['[UNK]'], scoring: 'likelihood' })).toEqual(referenceLikelihoodVocab(counts, 40, ['[UNK]']));
    const book = new Map<string, number>();
    for (const word of mobyDick().slice(0, 20_000).toLowerCase().match(/\p{L}+/gu)!) book.set(word, (book.get(word) ?? 0) + 1);
    expect(trainWordPieceVocab(book, { vocabSize: 160, specialTokens: ['[UNK]'], scoring: 'likelihood' })).toEqual(referenceLikelihoodVocab(book, 160, ['[UNK]']));
  });

  it('trains a working tokenizer on Moby Dick', () => {
    const text = mobyDick().slice(0, 60_000);
    const tokenizer = WordPieceTokenizer.train(text, { vocabSize: 1200, scoring: 'likelihood' });
    expect(tokenizer.vocabSize).toBe(1200);
    const ids = tokenizer.encode('Call me Ishmael, said the whale.', { addSpecialTokens: false });
    expect(tokenizer.decode(ids)).toBe('call me ishmael, said the whale.');
    const frequency = WordPieceTokenizer.train(text, { vocabSize: 1200 });
    expect(tokenizer.toJSON()).not.toBe(frequency.toJSON());
  });

  it('refuses an unknown scoring', () => {
    expect(() => trainWordPieceVocab(counts, { vocabSize: 30, scoring: 'count' as 'frequency' })).toThrow(TokenizerError);
  });
});
