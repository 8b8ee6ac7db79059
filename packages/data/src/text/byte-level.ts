/**
 * Byte-level text helpers shared by every tokenizer: GPT-2's reversible byte ↔ printable-character
 * map, UTF-8 encoding and decoding with an explicit policy for lone surrogates, and the tokenizers'
 * error type.
 *
 * Why a byte ↔ character map: byte-level BPE works on the 256 byte values, but vocabulary files
 * (GPT-2's `encoder.json`, Hugging Face `tokenizer.json`) store tokens as strings. GPT-2 maps each byte
 * to a printable character (printable Latin-1 bytes map to themselves; the 68 others — controls,
 * space, DEL, NBSP, soft hyphen — to U+0100…U+0143), so `' hello'` is stored as `'Ġhello'`.
 */
import { ValueError } from '@tessera/core';

/**
 * A tokenizer was given something it cannot take: a non-string text, an unknown special token, an id
 * outside the vocabulary, a malformed vocabulary file. A subclass of core's `ValueError`; the message
 * names the tokenizer method and the offending value.
 * @example
 * try { tokenizer.decode([999999]); } catch (e) { e instanceof TokenizerError; // true }
 */
export class TokenizerError extends ValueError {}

/**
 * Throws a `TokenizerError` unless `value` is a string (tokenizers are often called from untyped code).
 * @example
 * assertString(text, 'BPETokenizer.encode');
 */
export function assertString(value: unknown, op: string): asserts value is string {
  if (typeof value !== 'string') {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new TokenizerError(`${op}: expected a string, got ${got}`);
  }
}

function buildByteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b); // '!'…'~'
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b); // '¡'…'¬'
  for (let b = 0xae; b <= 0xff; b++) printable.push(b); // '®'…'ÿ'
  const isPrintable = new Set(printable);
  const table = new Array<string>(256);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCharCode(isPrintable.has(b) ? b : 256 + next++);
  }
  return table;
}

/**
 * GPT-2's `bytes_to_unicode()`: `BYTE_TO_UNICODE[b]` is the one-character string that stands for byte `b`.
 * @example
 * BYTE_TO_UNICODE[0x20]; // 'Ġ'
 * BYTE_TO_UNICODE[0x41]; // 'A'
 */
export const BYTE_TO_UNICODE: readonly string[] = Object.freeze(buildByteToUnicode());

/** Inverse of `BYTE_TO_UNICODE`, indexed by UTF-16 code unit (only U+0000…U+0143 are used; -1 = not a byte). */
const UNICODE_TO_BYTE_TABLE: Int16Array = (() => {
  const table = new Int16Array(0x144).fill(-1);
  BYTE_TO_UNICODE.forEach((char, byte) => (table[char.charCodeAt(0)] = byte));
  return table;
})();

/**
 * The byte that a byte-level character stands for, or -1 when the character is not one of the 256.
 * @example
 * unicodeToByte('Ġ'); // 32
 */
export function unicodeToByte(char: string): number {
  const code = char.length === 1 ? char.charCodeAt(0) : -1;
  return code >= 0 && code < UNICODE_TO_BYTE_TABLE.length ? UNICODE_TO_BYTE_TABLE[code]! : -1;
}

/**
 * Bytes → their byte-level string (one character per byte).
 * @example
 * bytesToUnicode(encodeUtf8(' héllo')); // 'ĠhÃ©llo'
 */
export function bytesToUnicode(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_UNICODE[bytes[i]!]!;
  return out;
}

/**
 * Byte-level string → bytes. A character outside the 256-character alphabet is a `TokenizerError`.
 * @example
 * decodeUtf8(unicodeToBytes('ĠhÃ©llo')); // ' héllo'
 */
export function unicodeToBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const byte = code < UNICODE_TO_BYTE_TABLE.length ? UNICODE_TO_BYTE_TABLE[code]! : -1;
    if (byte < 0) {
      throw new TokenizerError(
        `unicodeToBytes: character ${JSON.stringify(text[i])} (U+${code.toString(16).toUpperCase().padStart(4, '0')}) at index ${i} of ${JSON.stringify(text)} is not a GPT-2 byte-level character`,
      );
    }
    bytes[i] = byte;
  }
  return bytes;
}

/**
 * What to do with a lone (unpaired) UTF-16 surrogate, which has no UTF-8 encoding:
 * - `'replace'` (default): encode it as U+FFFD `�` (bytes EF BF BD), as `TextEncoder`, tiktoken and
 *   Hugging Face tokenizers do. Ids match the reference encoders; decoding gives `�` back, so such a
 *   string does not round-trip exactly.
 * - `'error'`: throw a `TokenizerError` naming the position.
 * - `'wtf8'`: encode it as its 3-byte generalized-UTF-8 form (WTF-8: ED A0…BF xx), and decode such
 *   bytes back to the surrogate: every JavaScript string round-trips losslessly. The ids are then
 *   ones the reference encoders never produce for that position.
 */
export type LoneSurrogatePolicy = 'replace' | 'error' | 'wtf8';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Index of the first lone surrogate in `text`, or -1.
 * @example
 * findLoneSurrogate('a\uD83D'); // 1
 * findLoneSurrogate('😀'); // -1
 */
export function findLoneSurrogate(text: string): number {
  const match = LONE_SURROGATE.exec(text);
  return match === null ? -1 : match.index;
}

/**
 * UTF-8 bytes of `text`; lone surrogates follow `loneSurrogates` (see `LoneSurrogatePolicy`).
 * @example
 * encodeUtf8('é'); // Uint8Array [0xc3, 0xa9]
 * encodeUtf8('\uD800', 'wtf8'); // Uint8Array [0xed, 0xa0, 0x80]
 */
export function encodeUtf8(text: string, loneSurrogates: LoneSurrogatePolicy = 'replace'): Uint8Array {
  if (loneSurrogates === 'replace') return textEncoder.encode(text);
  const at = findLoneSurrogate(text);
  if (at < 0) return textEncoder.encode(text);
  if (loneSurrogates === 'error') {
    throw new TokenizerError(
      `encodeUtf8: lone surrogate U+${text.charCodeAt(at).toString(16).toUpperCase()} at index ${at} has no UTF-8 encoding (use loneSurrogates: 'replace' or 'wtf8')`,
    );
  }
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    pushCodePoint(bytes, code);
  }
  return Uint8Array.from(bytes);
}

function pushCodePoint(bytes: number[], code: number): void {
  if (code < 0x80) bytes.push(code);
  else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
  else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
}

/**
 * Text of UTF-8 `bytes`. Invalid sequences (e.g. a multi-byte character cut between two tokens)
 * become U+FFFD, one per maximal invalid subpart, as `TextDecoder` does. With `'wtf8'`, WTF-8 encoded
 * surrogates (ED A0…BF xx) decode back to the surrogate code unit; with `'error'`, invalid bytes throw.
 * @example
 * decodeUtf8(new Uint8Array([0x68, 0x69])); // 'hi'
 */
export function decodeUtf8(bytes: Uint8Array, loneSurrogates: LoneSurrogatePolicy = 'replace'): string {
  if (loneSurrogates === 'replace') return textDecoder.decode(bytes);
  if (loneSurrogates === 'error') {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new TokenizerError(`decodeUtf8: the bytes are not valid UTF-8 (use loneSurrogates: 'replace' to decode them with U+FFFD)`);
    }
  }
  // WTF-8: decode runs between encoded surrogates with TextDecoder, the surrogates by hand.
  let out = '';
  let start = 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xed && bytes[i + 1]! >= 0xa0 && bytes[i + 1]! <= 0xbf && (bytes[i + 2]! & 0xc0) === 0x80) {
      out += textDecoder.decode(bytes.subarray(start, i));
      out += String.fromCharCode(0xd000 | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
      i += 2;
      start = i + 1;
    }
  }
  return out + textDecoder.decode(bytes.subarray(start));
}

/**
 * Byte-level string (GPT-2 alphabet) → text: `decodeUtf8(unicodeToBytes(text))`.
 * @example
 * byteLevelDecode('ĠhÃ©llo'); // ' héllo'
 */
export function byteLevelDecode(text: string, loneSurrogates: LoneSurrogatePolicy = 'replace'): string {
  return decodeUtf8(unicodeToBytes(text), loneSurrogates);
}

/**
 * Text → byte-level string (GPT-2 alphabet): `bytesToUnicode(encodeUtf8(text))`.
 * @example
 * byteLevelEncode(' hello'); // 'Ġhello'
 */
export function byteLevelEncode(text: string, loneSurrogates: LoneSurrogatePolicy = 'replace'): string {
  return bytesToUnicode(encodeUtf8(text, loneSurrogates));
}
