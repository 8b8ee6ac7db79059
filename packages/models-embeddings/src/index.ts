/**
 * @tessera/models-embeddings — word vectors as the course teaches them: `WordVectors` (similarity,
 * analogies, nearest neighbours), word2vec / GloVe / safetensors files, Word2Vec, FastText and GloVe
 * training, and PCA / t-SNE pictures of the space.
 *
 * @example
 * import '@tessera/backend-cpu';
 * import { WordVectors } from '@tessera/models-embeddings';
 * const wv = new WordVectors(['king', 'queen'], new Float32Array([1, 0, 0.9, 0.1]), 2);
 * wv.similarity('king', 'queen'); // ≈ 0.994
 */
export { OutOfVocabularyError, VectorFileError } from './errors';
export {
  WordVectors,
  type WordVectorsOptions,
  type Neighbor,
  type WordOrVector,
  type MostSimilarOptions,
  type AnalogyOptions,
  type NearestOptions,
} from './vectors/word-vectors';
export type { OovPolicy, OovVectorFunction } from './vectors/oov';
export type { VectorDType, VectorStorage } from './vectors/vector-storage';
