/**
 * Tokenizers: cl100k_base encoding of Moby Dick (1.2 MB) by Tessera's `BPETokenizer` and by
 * gpt-tokenizer (pure JS), js-tiktoken (pure JS) and tiktoken (the Rust original compiled to
 * WebAssembly), one row per library so they are timed in the same run; plus Tessera's BPE training
 * on Moby Dick to 8,000 tokens.
 *
 * These rows do not use a tensor backend: every side runs the same library code, so run them on one
 * side — `pnpm bench -- --only tokenizers --backends tessera` — and compare rows, not columns.
 * Throughput is in GB/s of UTF-8 input (× 1000 = MB/s). Before timing, each library's ids are checked
 * against Tessera's (a mismatch fails the case), and each timed run encodes the whole book once with
 * warm caches (every library keeps a piece cache; the first, cold encode happens in the check).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazy } from '../harness';
import type { BenchmarkCase, PreparedCase } from './suite';

// The other libraries are loaded with require() at run time, so the bundler leaves them out of
// dist/main.js (their rank tables are megabytes; tiktoken finds its .wasm next to its own files).
const require = createRequire(import.meta.url);

/** `BENCH_MOBY_DICK`, or `shared/data/moby-dick.txt` in a folder above this file (source or bundle). */
function mobyDickPath(): string {
  if (process.env.BENCH_MOBY_DICK) return process.env.BENCH_MOBY_DICK;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'data', 'moby-dick.txt');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('moby-dick.txt not found above the benchmark; set BENCH_MOBY_DICK');
  }
}

const text = lazy(() => readFileSync(mobyDickPath(), 'utf8'));
const rankFile = lazy(() => readFileSync(require.resolve('gpt-tokenizer/data/cl100k_base.tiktoken'), 'utf8'));

type Encode = (input: string) => ArrayLike<number>;

/** Tessera's cl100k tokenizer (built once: loading the rank file is not what is measured). */
const tessera = lazy(async () => {
  const { BPETokenizer } = await import('@tessera/data');
  return BPETokenizer.fromTiktoken(rankFile(), { encoding: 'cl100k_base' });
});

const libraries: { id: string; name: string; load(): Promise<{ encode: Encode; free?: () => void }> }[] = [
  {
    id: 'tessera',
    name: 'Tessera BPETokenizer',
    async load() {
      const tokenizer = await tessera();
      return { encode: (input) => tokenizer.encode(input) };
    },
  },
  {
    id: 'gpt-tokenizer',
    name: 'gpt-tokenizer',
    async load() {
      const { encode } = require('gpt-tokenizer/encoding/cl100k_base') as { encode: Encode };
      return { encode };
    },
  },
  {
    id: 'js-tiktoken',
    name: 'js-tiktoken',
    async load() {
      const { getEncoding } = require('js-tiktoken') as typeof import('js-tiktoken');
      const encoding = getEncoding('cl100k_base');
      return { encode: (input) => encoding.encode(input) };
    },
  },
  {
    id: 'tiktoken-wasm',
    name: 'tiktoken (WASM)',
    async load() {
      const { get_encoding } = require('tiktoken') as typeof import('tiktoken');
      const encoding = get_encoding('cl100k_base');
      return { encode: (input) => encoding.encode_ordinary(input), free: () => encoding.free() };
    },
  },
];

function sameIds(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  const length = Math.min(actual.length, expected.length);
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return `ids differ at position ${i}: ${actual[i]} vs ${expected[i]}`;
  return actual.length === expected.length ? undefined : `${actual.length} ids vs ${expected.length}`;
}

/** One cl100k encode row per library. */
function encodeCases(): BenchmarkCase[] {
  return libraries.map((library) => ({
    id: `tokenizers-cl100k-${library.id}`,
    suite: 'tokenizers',
    label: `cl100k encode Moby Dick: ${library.name}`,
    unit: 'GB/s',
    get workPerRun() {
      return Buffer.byteLength(text(), 'utf8');
    },
    opsPerRun: 1,
    tolerance: 0,
    checkDescription: 'all ids, and equal to Tessera’s ids',
    async prepare(): Promise<PreparedCase> {
      const input = text();
      const { encode, free } = await library.load();
      const ids = encode(input);
      const reference = (await tessera()).encode(input);
      const mismatch = sameIds(ids, reference);
      if (mismatch) throw new Error(`${library.name} disagrees with Tessera on cl100k ids: ${mismatch}`);
      return {
        async run() {
          encode(input);
        },
        async output() {
          return Float32Array.from(ids);
        },
        dispose() {
          free?.();
        },
      };
    },
  }));
}

/** Tessera's BPE training on Moby Dick to 8,000 tokens. */
function trainCase(): BenchmarkCase {
  return {
    id: 'tokenizers-bpe-train-8000',
    suite: 'tokenizers',
    label: 'BPE training Moby Dick → 8,000 tokens (Tessera)',
    unit: 'ms',
    opsPerRun: 1,
    tolerance: 0,
    checkDescription: 'the learned merges’ ids on the first 10,000 characters',
    async prepare(): Promise<PreparedCase> {
      const { BPETokenizer } = await import('@tessera/data');
      const corpus = text();
      const train = () => BPETokenizer.train(corpus, { vocabSize: 8000, byteLevel: true, specialTokens: ['<|endoftext|>'] });
      const trained = train();
      if (trained.vocabSize !== 8000) throw new Error(`training gave ${trained.vocabSize} tokens, not 8000`);
      return {
        async run() {
          train();
        },
        async output() {
          return Float32Array.from(trained.encode(corpus.slice(0, 10_000)));
        },
        dispose() {},
      };
    },
  };
}

/**
 * The tokenizer cases: cl100k encode per library, then BPE training.
 * @example tokenizerCases().map((c) => c.id) // ['tokenizers-cl100k-tessera', …, 'tokenizers-bpe-train-8000']
 */
export function tokenizerCases(): BenchmarkCase[] {
  return [...encodeCases(), trainCase()];
}
