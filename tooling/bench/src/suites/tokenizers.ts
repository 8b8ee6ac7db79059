/**
 * Tokenizers (library comparisons, no tensor backend): cl100k_base encoding of Moby Dick (1.2 MB) by
 * Tessera's `BPETokenizer`, gpt-tokenizer (pure JS), js-tiktoken (pure JS) and tiktoken (the Rust
 * original compiled to WebAssembly), timed run by run in one process, in MB/s of UTF-8 input; and
 * Tessera's byte-level BPE training on Moby Dick to 8,000 tokens, in seconds.
 *
 * Before timing, every library's ids must equal tiktoken's (js-tiktoken's if the WASM build does not
 * load). Each timed run encodes the whole book with warm caches (every library keeps a piece cache;
 * the first, cold encode is the check).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lazy } from '../harness';
import { sharedDataFile } from '../shared-data';
import type { ComparisonCase, Implementation } from './suite';

// The other libraries are loaded with require() at run time, so the bundler leaves them out of
// dist/main.js (their rank tables are megabytes; tiktoken finds its .wasm next to its own files).
const require = createRequire(import.meta.url);

/** Moby Dick from the shared data folder (`<repo>/../shared/data`, or `$TESSERA_SHARED_DIR/data`). */
export const mobyDick = lazy(() => readFileSync(sharedDataFile('moby-dick.txt'), 'utf8'));
/** Its size in UTF-8 bytes (the work of one encode, for MB/s). */
export const mobyDickBytes = lazy(() => Buffer.byteLength(mobyDick(), 'utf8'));

const rankFile = lazy(() => readFileSync(require.resolve('gpt-tokenizer/data/cl100k_base.tiktoken'), 'utf8'));

type Encode = (input: string) => ArrayLike<number>;

/**
 * Moby Dick in paragraphs (split after each blank line), for encoders that cannot take the whole
 * book as one string; concatenated, they are the book.
 */
export const mobyDickParagraphs = lazy(() => mobyDick().split(/(?<=\n\n)/));

/**
 * An implementation that encodes Moby Dick with `load()`'s encoder: run = one whole-book encode
 * (or one encode per paragraph with `paragraphs`), output = the ids of the first (cold) encode.
 * @example encoder('gpt-tokenizer', 'gpt-tokenizer', async () => ({ encode }), 'gpt-tokenizer')
 */
export function encoder(
  id: string,
  name: string,
  load: () => Promise<{ encode: Encode; free?: () => void }>,
  packageName?: string,
  { paragraphs = false }: { paragraphs?: boolean } = {},
): Implementation {
  return {
    id,
    name,
    ...(packageName ? { packageName } : {}),
    async prepare() {
      const { encode, free } = await load();
      const encodeBook: () => ArrayLike<number> = paragraphs
        ? () => {
            const ids: number[] = [];
            for (const paragraph of mobyDickParagraphs()) for (const tokenId of Array.from(encode(paragraph))) ids.push(tokenId);
            return ids;
          }
        : () => encode(mobyDick());
      const run = paragraphs
        ? () => {
            for (const paragraph of mobyDickParagraphs()) encode(paragraph);
          }
        : () => {
            encode(mobyDick());
          };
      let ids: ArrayLike<number> | undefined;
      return {
        run,
        output() {
          return (ids ??= encodeBook());
        },
        dispose() {
          free?.();
        },
      };
    },
  };
}

/** cl100k_base encode of Moby Dick by four libraries. */
function cl100kEncodeCase(): ComparisonCase {
  return {
    kind: 'comparison',
    id: 'tokenizers-cl100k-encode',
    suite: 'tokenizers',
    label: 'cl100k_base encode, Moby Dick',
    unit: 'MB/s',
    get workPerRun() {
      return mobyDickBytes();
    },
    opsPerRun: 1,
    subject: 'tessera',
    reference: ['tiktoken-wasm', 'js-tiktoken'],
    checkDescription: 'all ids of the book',
    targets: { 'gpt-tokenizer': 1 },
    implementations: [
      encoder(
        'tessera',
        'Tessera BPETokenizer.fromTiktoken',
        async () => {
          const { BPETokenizer } = await import('@tessera/data');
          const tokenizer = BPETokenizer.fromTiktoken(rankFile(), { encoding: 'cl100k_base' });
          return { encode: (input) => tokenizer.encode(input) };
        },
        '@tessera/data',
      ),
      encoder(
        'gpt-tokenizer',
        'gpt-tokenizer',
        async () => ({ encode: (require('gpt-tokenizer/encoding/cl100k_base') as { encode: Encode }).encode }),
        'gpt-tokenizer',
      ),
      encoder(
        'js-tiktoken',
        'js-tiktoken',
        async () => {
          const { getEncoding } = require('js-tiktoken') as typeof import('js-tiktoken');
          const encoding = getEncoding('cl100k_base');
          return { encode: (input) => encoding.encode(input) };
        },
        'js-tiktoken',
      ),
      encoder(
        'tiktoken-wasm',
        'tiktoken (WASM)',
        async () => {
          const { get_encoding } = require('tiktoken') as typeof import('tiktoken');
          const encoding = get_encoding('cl100k_base');
          return { encode: (input) => encoding.encode_ordinary(input), free: () => encoding.free() };
        },
        'tiktoken',
      ),
    ],
  };
}

/** Tessera's byte-level BPE training on Moby Dick to 8,000 tokens (no other JS library trains BPE). */
function bpeTrainCase(): ComparisonCase {
  return {
    kind: 'comparison',
    id: 'tokenizers-bpe-train-8000',
    suite: 'tokenizers',
    label: 'BPE training, Moby Dick → 8,000 tokens',
    unit: 's',
    opsPerRun: 1,
    subject: 'tessera',
    checkDescription: 'the trained tokenizer’s ids on the first 10,000 characters',
    maxSubjectTime: 10,
    implementations: [
      {
        id: 'tessera',
        name: 'Tessera BPETokenizer.train',
        packageName: '@tessera/data',
        async prepare() {
          const { BPETokenizer } = await import('@tessera/data');
          const corpus = mobyDick();
          const train = () => BPETokenizer.train(corpus, { vocabSize: 8000, byteLevel: true, specialTokens: ['<|endoftext|>'] });
          return {
            run() {
              train();
            },
            output() {
              const trained = train();
              if (trained.vocabSize !== 8000) throw new Error(`training gave ${trained.vocabSize} tokens, not 8000`);
              return trained.encode(corpus.slice(0, 10_000));
            },
          };
        },
      },
    ],
  };
}

/**
 * The tokenizer comparisons: cl100k encode, then BPE training.
 * @example tokenizerCases().map((c) => c.id) // ['tokenizers-cl100k-encode', 'tokenizers-bpe-train-8000']
 */
export function tokenizerCases(): ComparisonCase[] {
  return [cl100kEncodeCase(), bpeTrainCase()];
}
