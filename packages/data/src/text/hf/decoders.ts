/**
 * Hugging Face decoders: ByteLevel, WordPiece, Metaspace, ByteFallback, Fuse, Strip, Replace, BPEDecoder
 * and Sequence. Each maps the list of token strings to a new list (`decode_chain`); the tokenizer joins
 * the result.
 */
import { unicodeToByte } from '../byte-level';
import { type JsonObject, JsonReader, TokenizerJSONError, checkSequenceDepth } from './json';
import { readPattern } from './normalizers';
import { replaceMatches } from './text-pattern';
import { readPrependScheme } from './pre-tokenizers';

/** One decoding step over token strings. */
export interface Decoder {
  decodeChain(tokens: string[]): string[];
  toJSON(): JsonObject;
}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();

/** `tokenizers`' `clean_up_tokenization`: re-attach punctuation and contractions. */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** Byte-level tokens → text (characters outside the byte alphabet count as their own UTF-8). */
export function byteLevelDecodeTokens(tokens: string[]): string {
  const bytes: number[] = [];
  for (const token of tokens) {
    const start = bytes.length;
    let mapped = true;
    for (let i = 0; i < token.length; i++) {
      const byte = unicodeToByte(token[i]!);
      if (byte < 0) {
        mapped = false;
        break;
      }
      bytes.push(byte);
    }
    if (!mapped) {
      bytes.length = start;
      for (const byte of textEncoder.encode(token)) bytes.push(byte);
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const DECODER_TYPES = ['ByteLevel', 'WordPiece', 'Metaspace', 'ByteFallback', 'Fuse', 'Strip', 'Replace', 'BPEDecoder', 'Sequence'] as const;

/**
 * Builds a decoder from its `tokenizer.json` config.
 * @example
 * decoderFromJSON({ type: 'WordPiece', prefix: '##' }, 'decoder').decodeChain(['un', '##aff']) // ['un', 'aff']
 */
export function decoderFromJSON(value: unknown, path: string, depth = 0): Decoder {
  checkSequenceDepth(depth, path);
  const reader = JsonReader.of(value, path);
  const type = reader.type(DECODER_TYPES, 'decoder');
  const json = reader.value;
  switch (type) {
    case 'ByteLevel':
      return { decodeChain: (tokens) => [byteLevelDecodeTokens(tokens)], toJSON: () => json };
    case 'WordPiece': {
      const prefix = reader.string('prefix', '##');
      const cleanup = reader.boolean('cleanup', true);
      return {
        decodeChain: (tokens) =>
          tokens.map((token, index) => {
            let out = token;
            if (index > 0) out = token.startsWith(prefix) ? token.slice(prefix.length) : ` ${token}`;
            return cleanup ? cleanUpTokenization(out) : out;
          }),
        toJSON: () => json,
      };
    }
    case 'Metaspace': {
      const replacement = reader.string('replacement', '▁');
      const scheme = readPrependScheme(reader);
      return {
        decodeChain: (tokens) =>
          tokens.map((token, index) => {
            let out = '';
            for (const char of token) {
              if (char === replacement) {
                if (!(index === 0 && scheme !== 'never')) out += ' ';
              } else out += char;
            }
            return out;
          }),
        toJSON: () => json,
      };
    }
    case 'ByteFallback':
      return {
        decodeChain(tokens) {
          const out: string[] = [];
          let pending: number[] = [];
          const flush = (): void => {
            if (pending.length === 0) return;
            try {
              out.push(strictUtf8.decode(Uint8Array.from(pending)));
            } catch {
              for (let i = 0; i < pending.length; i++) out.push('\uFFFD');
            }
            pending = [];
          };
          for (const token of tokens) {
            const match = BYTE_TOKEN.exec(token);
            if (match !== null) pending.push(parseInt(match[1]!, 16));
            else {
              flush();
              out.push(token);
            }
          }
          flush();
          return out;
        },
        toJSON: () => json,
      };
    case 'Fuse':
      return { decodeChain: (tokens) => [tokens.join('')], toJSON: () => json };
    case 'Strip': {
      const content = reader.string('content', ' ');
      const start = reader.integer('start', 0);
      const stop = reader.integer('stop', 0);
      return {
        decodeChain: (tokens) =>
          tokens.map((token) => {
            const chars = [...token];
            let from = 0;
            let to = chars.length;
            while (from < start && from < to && chars[from] === content) from++;
            while (chars.length - to < stop && to > from && chars[to - 1] === content) to--;
            return chars.slice(from, to).join('');
          }),
        toJSON: () => json,
      };
    }
    case 'Replace': {
      const { pattern } = readPattern(reader, 'pattern');
      const content = reader.string('content');
      return { decodeChain: (tokens) => tokens.map((token) => replaceMatches(pattern, token, content)), toJSON: () => json };
    }
    case 'BPEDecoder': {
      const suffix = reader.string('suffix', '</w>');
      return {
        decodeChain: (tokens) => tokens.map((token, index) => token.replaceAll(suffix, index === tokens.length - 1 ? '' : ' ')),
        toJSON: () => json,
      };
    }
    case 'Sequence': {
      const listPath = reader.fieldPath('decoders');
      const steps = reader.array('decoders').map((item, index) => decoderFromJSON(item, `${listPath}[${index}]`, depth + 1));
      return {
        decodeChain(tokens) {
          let current = tokens;
          for (const step of steps) current = step.decodeChain(current);
          return current;
        },
        toJSON: () => ({ type, decoders: steps.map((step) => step.toJSON()) }),
      };
    }
  }
  throw new TokenizerJSONError(reader.fieldPath('type'), 'unsupported decoder type');
}
