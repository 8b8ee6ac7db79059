/**
 * Added tokens (`added_tokens` of `tokenizer.json`): special and ordinary tokens found in the text
 * before the model runs. Matching is leftmost-longest, as Hugging Face's Aho-Corasick matcher;
 * `single_word` requires word boundaries around the match, `lstrip`/`rstrip` swallow neighbouring
 * whitespace, and `normalized` tokens are matched in the normalized text instead of the raw text.
 */
import { JsonReader, TokenizerJSONError, type JsonObject } from './json';
import { afterCodePoint, escapeRegExp } from './regex';

/** One entry of `added_tokens`. */
export interface AddedToken {
  id: number;
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export function addedTokenFromJSON(value: unknown, path: string): AddedToken {
  const reader = JsonReader.of(value, path);
  const content = reader.string('content');
  if (content.length === 0) reader.fail('content', 'a non-empty string');
  return {
    id: reader.id('id'),
    content,
    singleWord: reader.boolean('single_word', false),
    lstrip: reader.boolean('lstrip', false),
    rstrip: reader.boolean('rstrip', false),
    normalized: reader.boolean('normalized', true),
    special: reader.boolean('special', false),
  };
}

export function addedTokenToJSON(token: AddedToken): JsonObject {
  return {
    id: token.id,
    content: token.content,
    single_word: token.singleWord,
    lstrip: token.lstrip,
    rstrip: token.rstrip,
    normalized: token.normalized,
    special: token.special,
  };
}

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}]/u;
const SPACE = /\p{White_Space}/u;

/** A set of added tokens matched together (the raw-text ones or the normalized-text ones). */
export class AddedTokenMatcher {
  private readonly regex: RegExp | null;
  private readonly byContent = new Map<string, AddedToken>();

  constructor(tokens: AddedToken[]) {
    for (const token of tokens) if (!this.byContent.has(token.content)) this.byContent.set(token.content, token);
    const contents = [...this.byContent.keys()].sort((a, b) => b.length - a.length);
    this.regex = contents.length === 0 ? null : new RegExp(contents.map(escapeRegExp).join('|'), 'gu');
  }

  get isEmpty(): boolean {
    return this.regex === null;
  }

  /**
   * Finds the added tokens in `text`: flat `[start, end, id, …]` of the matched spans (including
   * stripped whitespace), in order and non-overlapping.
   */
  find(text: string): number[] {
    const found: number[] = [];
    const regex = this.regex;
    if (regex === null) return found;
    regex.lastIndex = 0;
    let previousEnd = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      const token = this.byContent.get(match[0])!;
      let start = match.index;
      let end = start + match[0].length;
      if (token.singleWord) {
        const before = start > 0 && WORD_CHAR.test(text[start - 1]!);
        const after = end < text.length && WORD_CHAR.test(text[end]!);
        if (before || after) {
          regex.lastIndex = afterCodePoint(text, match.index);
          continue;
        }
      }
      if (token.lstrip) while (start > previousEnd && SPACE.test(text[start - 1]!)) start--;
      if (token.rstrip) while (end < text.length && SPACE.test(text[end]!)) end++;
      found.push(start, end, token.id);
      previousEnd = end;
      regex.lastIndex = end;
    }
    return found;
  }
}

/** Checks that added-token ids are unique; returns the tokens by id. */
export function indexAddedTokens(tokens: AddedToken[], path: string): Map<number, AddedToken> {
  const byId = new Map<number, AddedToken>();
  tokens.forEach((token, index) => {
    const existing = byId.get(token.id);
    if (existing !== undefined && existing.content !== token.content) {
      throw new TokenizerJSONError(`${path}[${index}].id`, `id ${token.id} is already used by ${JSON.stringify(existing.content)}`);
    }
    byId.set(token.id, token);
  });
  return byId;
}
