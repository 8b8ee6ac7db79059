/**
 * The training/validation split of a text, made on characters (not tokens) so that every tokenizer is
 * trained on, and scored against, exactly the same text.
 */
import { ValueError } from '@tessera/core';

/** A text cut in two. */
export interface TextSplit {
  train: string;
  /** The tail; it starts with a newline followed by a non-space character. */
  validation: string;
}

/**
 * Cuts `text` at the first line break at or after `fraction` of its length, where a line starts
 * (a newline followed by a non-space character): the validation part opens with that newline, which every
 * tokenizer here turns into a token of its own, so the first token — which only gives context — is the
 * same one character for all of them.
 * @example
 * splitText('one\ntwo\nthree\nfour', 0.4); // { train: 'one\ntwo', validation: '\nthree\nfour' }
 */
export function splitText(text: string, fraction: number): TextSplit {
  if (!(fraction > 0 && fraction < 1)) throw new ValueError(`splitText: fraction must be in (0, 1), got ${fraction}`);
  for (let cut = Math.floor(text.length * fraction); cut < text.length - 1; cut++) {
    if (text[cut] === '\n' && /\S/.test(text[cut + 1])) return { train: text.slice(0, cut), validation: text.slice(cut) };
  }
  throw new ValueError(`splitText: no line starts after ${fraction} of the text (${text.length} characters)`);
}
