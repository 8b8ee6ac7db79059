/**
 * Word-vector retrieval (library comparison, Tessera only): `WordVectors.nearest` — one batched
 * matmul of unit queries with the unit-normalised vocabulary on the cpu backend, then an exact
 * two-stage top-k — with the vocabulary stored as float32, float16 (half the memory; blocks cast to
 * float32 before the matmul) or int8 with a scale per row (a quarter; codes searched as float16).
 *
 * Data: 100,000 vectors of dim 100 around 1,000 Gaussian centres (spread 0.6), 128 queries per run
 * (vocabulary rows), k = 10. Reported in ms per query (queries/s = 1000 / ms).
 * The output check: recall@10 of each storage against float32's answers is at least 0.95 (output
 * `[1]`); float32 itself answers exactly.
 */
import { lazy, normalData } from '../harness';
import type { ComparisonCase, Implementation, PreparedImplementation } from './suite';

type Embeddings = typeof import('@tessera/models-embeddings');
type WordVectors = InstanceType<Embeddings['WordVectors']>;
type StorageDType = 'float32' | 'float16' | 'int8';

const WORDS = 100_000;
const DIM = 100;
const CLUSTERS = 1_000;
const QUERIES = 128;
const K = 10;

const vocabulary = lazy(() => {
  const centres = normalData(CLUSTERS * DIM, 91);
  const values = normalData(WORDS * DIM, 92, 0.6);
  for (let i = 0; i < WORDS; i++) for (let j = 0; j < DIM; j++) values[i * DIM + j] += centres[(i % CLUSTERS) * DIM + j];
  return { words: Array.from({ length: WORDS }, (_, i) => `w${i}`), values };
});

const queries = lazy(() => {
  const { values } = vocabulary();
  const out = new Float32Array(QUERIES * DIM);
  for (let q = 0; q < QUERIES; q++) out.set(values.subarray(((q * 7919) % WORDS) * DIM, (((q * 7919) % WORDS) + 1) * DIM), q * DIM);
  return out;
});

async function loadEmbeddings(): Promise<Embeddings> {
  const core = await import('@tessera/core');
  await import('@tessera/backend-cpu'); // registers 'cpu'
  await core.setBackend('cpu');
  return import('@tessera/models-embeddings');
}

/** float32's answers: the truth every storage is checked against. */
let exactAnswers: Promise<Set<number>[]> | undefined;
function exact(embeddings: Embeddings): Promise<Set<number>[]> {
  exactAnswers ??= (async () => {
    const { words, values } = vocabulary();
    const wv = new embeddings.WordVectors(words, values, DIM);
    const hits = await wv.nearest(queries(), K);
    wv.dispose();
    return hits.map((list) => new Set(list.map((hit) => hit.index)));
  })();
  return exactAnswers;
}

function implementation(dtype: StorageDType): Implementation {
  return {
    id: `tessera-${dtype}`,
    name: `Tessera WordVectors.nearest, ${dtype} storage`,
    packageName: '@tessera/models-embeddings',
    async prepare(): Promise<PreparedImplementation> {
      const embeddings = await loadEmbeddings();
      const { words, values } = vocabulary();
      const full = new embeddings.WordVectors(words, values, DIM);
      const wv: WordVectors = dtype === 'float32' ? full : full.quantize(dtype);
      await wv.nearest(queries().subarray(0, DIM), K); // builds the search matrix (untimed)
      return {
        async run() {
          await wv.nearest(queries(), K);
        },
        async output() {
          const truth = await exact(embeddings);
          const hits = await wv.nearest(queries(), K);
          let found = 0;
          hits.forEach((list, q) => (found += list.filter((hit) => truth[q].has(hit.index)).length));
          return [found / (K * QUERIES) >= 0.95 ? 1 : 0];
        },
        dispose() {
          wv.dispose();
        },
      };
    },
  };
}

/**
 * The word-vector retrieval row.
 * @example embeddingsNearestCase().id // 'embeddings-nearest-100k'
 */
export function embeddingsNearestCase(): ComparisonCase {
  return {
    kind: 'comparison',
    id: 'embeddings-nearest-100k',
    suite: 'embeddings-nearest',
    label: `nearest ${K} of ${WORDS / 1000}k×${DIM} word vectors, ${QUERIES} queries per run, cpu`,
    unit: 'ms',
    opsPerRun: QUERIES,
    subject: 'tessera-int8',
    reference: ['tessera-float32'],
    checkDescription: 'recall@10 against float32 storage ≥ 0.95',
    implementations: [implementation('float32'), implementation('float16'), implementation('int8')],
  };
}
