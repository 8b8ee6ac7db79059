/**
 * SentencePiece-style unigram training (Kudo 2018, as `spm_train --model_type=unigram` does it):
 * 1. seed: every character plus the frequent substrings of the words (`▁` only at a word's start),
 *    scored by frequency × length;
 * 2. EM: expected piece counts from forward–backward over each word's segmentation lattice, then
 *    Bayesian (digamma) re-estimation of the log-probabilities, dropping pieces expected < 0.5 times;
 * 3. pruning: drop the 25 % of pieces whose removal costs the least likelihood (each piece's loss is
 *    computed from its best alternative segmentation), until the vocabulary is within 10 % of the
 *    target; then keep the best-scoring pieces.
 * Training works on word counts, so a corpus is read once.
 */
import type { UnigramPiece } from './model';

/** Options of {@link trainUnigramPieces}. */
export interface UnigramTrainOptions {
  /** Number of learned pieces (characters included; special and byte pieces not included). */
  vocabSize: number;
  /** Longest piece in code points. Default 16. */
  maxPieceLength?: number;
  /** Fraction of character occurrences that the kept characters must cover. Default 0.9995. */
  characterCoverage?: number;
  /** Seed pieces kept before EM. Default 1,000,000. */
  seedSize?: number;
  /** Fraction of pieces kept by each pruning step. Default 0.75. */
  shrinkingFactor?: number;
  /** EM iterations between pruning steps. Default 2. */
  subIterations?: number;
}

/** Digamma ψ(x) for x > 0 (recurrence up to 6, then the asymptotic series). */
export function digamma(x: number): number {
  let result = 0;
  while (x < 6) {
    result -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return result + Math.log(x) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))));
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

interface Candidate {
  piece: string;
  score: number;
}

/** A vocabulary view for lattice work: piece → index, scores, and the longest piece. */
class PieceTable {
  readonly ids = new Map<string, number>();
  readonly maxLength: number;
  constructor(readonly pieces: Candidate[]) {
    let maxLength = 1;
    pieces.forEach((candidate, index) => {
      this.ids.set(candidate.piece, index);
      maxLength = Math.max(maxLength, candidate.piece.length);
    });
    this.maxLength = maxLength;
  }

  /** Edges of `word`'s lattice: flat [start, end, pieceIndex]. */
  edges(word: string): number[] {
    const edges: number[] = [];
    for (let start = 0; start < word.length; start++) {
      const limit = Math.min(word.length, start + this.maxLength);
      for (let end = start + 1; end <= limit; end++) {
        const id = this.ids.get(word.slice(start, end));
        if (id !== undefined) edges.push(start, end, id);
      }
    }
    return edges;
  }

  /** Best segmentation of `word` as piece indices, optionally without one piece. */
  viterbi(word: string, excluded = -1): number[] {
    const size = word.length;
    const best = new Float64Array(size + 1).fill(-Infinity);
    const back = new Int32Array(size + 1).fill(-1);
    const backId = new Int32Array(size + 1).fill(-1);
    best[0] = 0;
    const edges = this.edges(word);
    for (let i = 0; i < edges.length; i += 3) {
      const start = edges[i]!;
      const end = edges[i + 1]!;
      const id = edges[i + 2]!;
      if (id === excluded || best[start] === -Infinity) continue;
      const score = best[start]! + this.pieces[id]!.score;
      if (score > best[end]!) {
        best[end] = score;
        back[end] = start;
        backId[end] = id;
      }
    }
    if (back[size] === -1 && size > 0) return [];
    const out: number[] = [];
    for (let end = size; end > 0; end = back[end]!) out.push(backId[end]!);
    return out.reverse();
  }
}

/**
 * Trains unigram pieces on word counts (words already carry their `▁`). Returns pieces sorted by
 * score, best first.
 * @example
 * trainUnigramPieces(new Map([['▁the', 100], ['▁then', 20]]), { vocabSize: 10 })
 */
export function trainUnigramPieces(wordCounts: Map<string, number>, options: UnigramTrainOptions): UnigramPiece[] {
  const maxPieceLength = options.maxPieceLength ?? 16;
  const coverage = options.characterCoverage ?? 0.9995;
  const seedSize = options.seedSize ?? 1_000_000;
  const shrinkingFactor = options.shrinkingFactor ?? 0.75;
  const subIterations = options.subIterations ?? 2;
  const words = [...wordCounts.keys()];
  const counts = words.map((word) => wordCounts.get(word)!);

  // Required characters: the most frequent ones up to the coverage.
  const charCounts = new Map<string, number>();
  words.forEach((word, index) => {
    for (const char of word) charCounts.set(char, (charCounts.get(char) ?? 0) + counts[index]!);
  });
  const sortedChars = [...charCounts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const totalChars = sortedChars.reduce((sum, [, count]) => sum + count, 0);
  const required = new Map<string, number>();
  let covered = 0;
  for (const [char, count] of sortedChars) {
    if (required.size > 0 && covered / totalChars >= coverage) break;
    required.set(char, count);
    covered += count;
  }

  // Seed: characters plus frequent substrings (freq × length), no `▁` inside.
  const substringCounts = new Map<string, number>();
  words.forEach((word, index) => {
    const chars = [...word];
    for (let start = 0; start < chars.length; start++) {
      let piece = '';
      for (let end = start; end < Math.min(chars.length, start + maxPieceLength); end++) {
        const char = chars[end]!;
        if (!required.has(char) || (char === '▁' && end > start) || (char === '▁' && start > 0)) break;
        piece += char;
        if (end > start) substringCounts.set(piece, (substringCounts.get(piece) ?? 0) + counts[index]!);
      }
    }
  });
  const seeds: Candidate[] = [...required.entries()].map(([piece, count]) => ({ piece, score: count }));
  const substrings = [...substringCounts.entries()]
    .filter(([, count]) => count > 1)
    .map(([piece, count]) => ({ piece, score: count * [...piece].length }))
    .sort((a, b) => b.score - a.score || (a.piece < b.piece ? -1 : 1))
    .slice(0, Math.max(0, seedSize - seeds.length));
  let pieces: Candidate[] = [...seeds, ...substrings];
  const seedTotal = pieces.reduce((sum, candidate) => sum + candidate.score, 0);
  for (const candidate of pieces) candidate.score = Math.log(candidate.score) - Math.log(seedTotal);

  const desiredSize = Math.floor(options.vocabSize * 1.1);
  for (;;) {
    for (let iteration = 0; iteration < subIterations; iteration++) pieces = emStep(pieces, words, counts, required);
    if (pieces.length <= desiredSize) break;
    pieces = prune(pieces, words, counts, required, Math.max(desiredSize, Math.floor(pieces.length * shrinkingFactor)));
  }

  // Finalize: required characters, then the best-scoring pieces.
  const chosen = new Map<string, number>();
  const byScore = [...pieces].sort((a, b) => b.score - a.score || (a.piece < b.piece ? -1 : 1));
  for (const candidate of byScore) if (required.has(candidate.piece)) chosen.set(candidate.piece, candidate.score);
  for (const candidate of byScore) {
    if (chosen.size >= options.vocabSize) break;
    if (!chosen.has(candidate.piece)) chosen.set(candidate.piece, candidate.score);
  }
  return [...chosen.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** One EM iteration: expected counts by forward–backward, then digamma re-estimation. */
function emStep(pieces: Candidate[], words: string[], counts: number[], required: Map<string, number>): Candidate[] {
  const table = new PieceTable(pieces);
  const expected = new Float64Array(pieces.length);
  words.forEach((word, index) => {
    const size = word.length;
    const edges = table.edges(word);
    const alpha = new Float64Array(size + 1).fill(-Infinity);
    const beta = new Float64Array(size + 1).fill(-Infinity);
    alpha[0] = 0;
    for (let i = 0; i < edges.length; i += 3) {
      const start = edges[i]!;
      alpha[edges[i + 1]!] = logAddExp(alpha[edges[i + 1]!]!, alpha[start]! + pieces[edges[i + 2]!]!.score);
    }
    beta[size] = 0;
    for (let i = edges.length - 3; i >= 0; i -= 3) {
      const start = edges[i]!;
      beta[start] = logAddExp(beta[start]!, beta[edges[i + 1]!]! + pieces[edges[i + 2]!]!.score);
    }
    const total = alpha[size]!;
    if (total === -Infinity) return;
    for (let i = 0; i < edges.length; i += 3) {
      const id = edges[i + 2]!;
      const marginal = Math.exp(alpha[edges[i]!]! + pieces[id]!.score + beta[edges[i + 1]!]! - total);
      expected[id] += counts[index]! * marginal;
    }
  });
  const kept: Candidate[] = [];
  const keptCounts: number[] = [];
  pieces.forEach((candidate, id) => {
    if (expected[id]! < 0.5 && !required.has(candidate.piece)) return;
    kept.push({ piece: candidate.piece, score: 0 });
    keptCounts.push(Math.max(expected[id]!, 1e-10));
  });
  const logSum = digamma(keptCounts.reduce((sum, count) => sum + count, 0));
  kept.forEach((candidate, index) => (candidate.score = digamma(keptCounts[index]!) - logSum));
  return kept;
}

/** Keeps the `target` pieces whose removal would cost the most likelihood. */
function prune(pieces: Candidate[], words: string[], counts: number[], required: Map<string, number>, target: number): Candidate[] {
  const table = new PieceTable(pieces);
  // Alternatives: each piece's best segmentation without itself.
  const alternatives = pieces.map((candidate, id) => ([...candidate.piece].length > 1 ? table.viterbi(candidate.piece, id) : []));
  // Viterbi frequencies over the corpus, and which words use each piece.
  const freq = new Float64Array(pieces.length);
  const wordFreq = new Float64Array(pieces.length); // F: total count of words containing the piece
  let total = 0;
  words.forEach((word, index) => {
    const segmentation = table.viterbi(word);
    const seen = new Set<number>();
    for (const id of segmentation) {
      freq[id] += counts[index]!;
      total += counts[index]!;
      if (!seen.has(id)) {
        seen.add(id);
        wordFreq[id] += counts[index]!;
      }
    }
  });
  const logTotal = Math.log(total);
  const losses: [number, number][] = [];
  const kept: Candidate[] = [];
  pieces.forEach((candidate, id) => {
    if (required.has(candidate.piece) || (alternatives[id]!.length === 0 && [...candidate.piece].length > 1 && freq[id]! > 0)) {
      kept.push(candidate);
      return;
    }
    if (freq[id] === 0 || alternatives[id]!.length === 0) {
      losses.push([id, 0]);
      return;
    }
    const logProbPiece = Math.log(freq[id]!) - logTotal;
    const logSumAlt = Math.log(total + freq[id]! * (alternatives[id]!.length - 1));
    let logProbAlt = 0;
    for (const alt of alternatives[id]!) logProbAlt += Math.log(freq[alt]! + freq[id]!) - logSumAlt;
    losses.push([id, (wordFreq[id]! / total) * (logProbPiece - logProbAlt)]);
  });
  losses.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [id] of losses) {
    if (kept.length >= target) break;
    kept.push(pieces[id]!);
  }
  return kept;
}
