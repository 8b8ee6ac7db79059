/**
 * The Unigram model: each piece has a log-probability score; a text is split into the pieces whose
 * scores sum highest (Viterbi over all segmentations). A character no piece covers becomes the unknown
 * token (consecutive ones fused) — or, with byte fallback, its UTF-8 bytes as `<0xNN>` pieces. This is
 * Hugging Face's `Unigram::encode_optimized`, tie-breaking included, so ids match `tokenizers`.
 */
import { TokenizerError } from '../byte-level';
import type { TokenSink } from '../wordpiece/model';
import { PieceTrie } from './piece-trie';

/** A piece and its score (log probability). */
export type UnigramPiece = [piece: string, score: number];

/** SentencePiece's penalty for unknown characters, below the lowest piece score. */
export const UNKNOWN_PENALTY = 10;

const textEncoder = new TextEncoder();

/** Code units of the code point at `index` (a lone surrogate is one, and never swallows its neighbour). */
function codePointLength(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff || index + 1 >= text.length) return 1;
  const low = text.charCodeAt(index + 1);
  return low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
}

function byteToken(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/**
 * Viterbi segmentation over scored pieces.
 * @example
 * const model = new UnigramModel([['<unk>', 0], ['▁a', -1], ['b', -2], ['▁ab', -2.5]], { unkId: 0 });
 * const sink = { ids: [], starts: null, ends: null }; model.tokenize('▁ab', sink); sink.ids // [3]
 */
export class UnigramModel {
  readonly pieces: readonly UnigramPiece[];
  readonly unkId: number | null;
  readonly byteFallback: boolean;
  private readonly pieceIds = new Map<string, number>();
  private readonly trie = new PieceTrie();
  private readonly unkScore: number;

  constructor(pieces: readonly UnigramPiece[], options: { unkId?: number | null; byteFallback?: boolean } = {}) {
    this.pieces = pieces;
    this.unkId = options.unkId ?? null;
    this.byteFallback = options.byteFallback ?? false;
    if (this.unkId !== null && (this.unkId < 0 || this.unkId >= pieces.length)) {
      throw new TokenizerError(`UnigramModel: unkId ${this.unkId} is outside the ${pieces.length} pieces`);
    }
    let minScore = Infinity;
    pieces.forEach(([piece, score], id) => {
      if (!this.pieceIds.has(piece)) this.pieceIds.set(piece, id);
      this.trie.insert(piece, id);
      minScore = Math.min(minScore, score);
    });
    this.unkScore = (pieces.length > 0 ? minScore : 0) - UNKNOWN_PENALTY;
  }

  get vocabSize(): number {
    return this.pieces.length;
  }

  tokenToId(token: string): number | undefined {
    return this.pieceIds.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.pieces[id]?.[0];
  }

  /**
   * The best segmentation of `text` as piece boundaries: `[start₀, end₀, id₀, start₁, …]`, where an
   * id of -1 marks an unknown run.
   */
  segment(text: string): number[] {
    const size = text.length;
    const bestScore = new Float64Array(size + 1);
    const startsAt = new Int32Array(size + 1).fill(-1);
    const bestId = new Int32Array(size + 1);
    const pieces = this.pieces;
    let scoreHere = 0;
    let start = 0;
    let charLength = 1;
    let hasSingle = false;
    const visit = (length: number, id: number): void => {
      const end = start + length;
      const candidate = pieces[id]![1] + scoreHere;
      if (startsAt[end]! < 0 || candidate > bestScore[end]!) {
        bestScore[end] = candidate;
        startsAt[end] = start;
        bestId[end] = id;
      }
      if (length === charLength) hasSingle = true;
    };
    while (start < size) {
      scoreHere = bestScore[start]!;
      charLength = codePointLength(text, start);
      hasSingle = false;
      this.trie.forEachPrefix(text, start, visit);
      if (!hasSingle) {
        const end = start + charLength;
        const candidate = this.unkScore + scoreHere;
        if (startsAt[end]! < 0 || candidate > bestScore[end]!) {
          bestScore[end] = candidate;
          startsAt[end] = start;
          bestId[end] = -1;
        }
      }
      start += charLength;
    }
    // Backtrack, fusing consecutive unknown characters.
    const reversed: number[] = [];
    for (let end = size; end > 0; ) {
      const start = startsAt[end]!;
      const id = bestId[end]!;
      const last = reversed.length - 3;
      if (id === -1 && last >= 0 && reversed[last + 2] === -1 && reversed[last] === end) reversed[last] = start;
      else reversed.push(start, end, id);
      end = start;
    }
    const out: number[] = [];
    for (let i = reversed.length - 3; i >= 0; i -= 3) out.push(reversed[i]!, reversed[i + 1]!, reversed[i + 2]!);
    return out;
  }

  /** Appends the ids of `text`'s best segmentation to `sink`. */
  tokenize(text: string, sink: TokenSink): void {
    if (text.length === 0) return;
    const bounds = this.segment(text);
    for (let i = 0; i < bounds.length; i += 3) {
      const start = bounds[i]!;
      const end = bounds[i + 1]!;
      let id = bounds[i + 2]!;
      if (id === -1) {
        const piece = text.slice(start, end);
        const known = this.pieceIds.get(piece);
        if (known !== undefined) id = known;
        else if (this.byteFallback && this.pushBytes(piece, start, end, sink)) continue;
        else if (this.unkId === null) throw new TokenizerError(`UnigramModel.tokenize: ${JSON.stringify(piece)} has no piece and the model has no unknown token`);
        else id = this.unkId;
      }
      sink.ids.push(id);
      sink.starts?.push(start);
      sink.ends?.push(end);
    }
  }

  private pushBytes(piece: string, start: number, end: number, sink: TokenSink): boolean {
    const ids: number[] = [];
    for (const byte of textEncoder.encode(piece)) {
      const id = this.pieceIds.get(byteToken(byte));
      if (id === undefined) return false;
      ids.push(id);
    }
    for (const id of ids) {
      sink.ids.push(id);
      sink.starts?.push(start);
      sink.ends?.push(end);
    }
    return true;
  }
}
