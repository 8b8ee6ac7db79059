/**
 * The WordPiece model: greedy longest-match-first segmentation of one word into vocabulary pieces,
 * pieces after the first carrying the continuation prefix (`##`); a word with no segmentation, or
 * longer than `maxInputCharsPerWord` code points, becomes the unknown token.
 */
import { TokenizerError } from '../byte-level';

/** Where a model writes its tokens: ids, and optionally each token's code-unit range in the word. */
export interface TokenSink {
  ids: number[];
  /** Start of each token in the word's text (code units), or null when offsets are not needed. */
  starts: number[] | null;
  ends: number[] | null;
}

/** Options of {@link WordPieceModel}; defaults are BERT's. */
export interface WordPieceModelOptions {
  unkToken?: string;
  continuingSubwordPrefix?: string;
  maxInputCharsPerWord?: number;
}

/**
 * Greedy longest-match-first WordPiece over a fixed vocabulary.
 * @example
 * const model = new WordPieceModel(new Map([['[UNK]', 0], ['un', 1], ['##aff', 2], ['##able', 3]]));
 * const sink = { ids: [], starts: null, ends: null };
 * model.tokenize('unaffable', sink); sink.ids // [1, 2, 3]
 */
export class WordPieceModel {
  readonly vocab: Map<string, number>;
  readonly unkToken: string;
  readonly continuingSubwordPrefix: string;
  readonly maxInputCharsPerWord: number;
  private readonly unkId: number;
  private readonly idToTokenList: string[];

  constructor(vocab: Map<string, number>, options: WordPieceModelOptions = {}) {
    this.vocab = vocab;
    this.unkToken = options.unkToken ?? '[UNK]';
    this.continuingSubwordPrefix = options.continuingSubwordPrefix ?? '##';
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 100;
    const unkId = vocab.get(this.unkToken);
    if (unkId === undefined) throw new TokenizerError(`WordPieceModel: the unknown token ${JSON.stringify(this.unkToken)} is not in the vocabulary`);
    this.unkId = unkId;
    this.idToTokenList = [];
    for (const [token, id] of vocab) this.idToTokenList[id] = token;
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idToTokenList[id];
  }

  /** Appends the pieces of `word` to `sink`. */
  tokenize(word: string, sink: TokenSink): void {
    if (word.length === 0) return;
    let chars = 0;
    for (let i = 0; i < word.length; i++) {
      const code = word.charCodeAt(i);
      if (code < 0xdc00 || code > 0xdfff) chars++;
    }
    if (chars > this.maxInputCharsPerWord) return this.pushUnk(word, sink);
    const ids: number[] = [];
    const bounds: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = word.length;
      let found = -1;
      while (end > start) {
        const piece = start > 0 ? this.continuingSubwordPrefix + word.slice(start, end) : word.slice(start, end);
        const id = this.vocab.get(piece);
        if (id !== undefined) {
          found = id;
          break;
        }
        end--;
        // Never split a surrogate pair.
        const code = word.charCodeAt(end);
        if (end > start && code >= 0xdc00 && code <= 0xdfff) end--;
      }
      if (found < 0) return this.pushUnk(word, sink);
      ids.push(found);
      bounds.push(start, end);
      start = end;
    }
    for (let i = 0; i < ids.length; i++) {
      sink.ids.push(ids[i]!);
      sink.starts?.push(bounds[2 * i]!);
      sink.ends?.push(bounds[2 * i + 1]!);
    }
  }

  private pushUnk(word: string, sink: TokenSink): void {
    sink.ids.push(this.unkId);
    sink.starts?.push(0);
    sink.ends?.push(word.length);
  }
}
