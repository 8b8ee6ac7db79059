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
export { readWord2Vec, parseWord2Vec, writeWord2Vec, word2VecChunks, type ReadWord2VecOptions, type WriteWord2VecOptions } from './io/word2vec-format';
export { readGlove, parseGlove, writeGlove, gloveChunks, type ReadGloveOptions } from './io/glove-format';
export { saveWordVectors, loadWordVectors, type SavedWordVectors } from './io/safetensors-vectors';
export { formatFloat32 } from './io/decimal-text';
export type { VectorFileSource } from './io/byte-source';
export type { UnicodeErrors, VectorParserOptions } from './io/text-vector-parser';
export { pca, type PcaOptions, type PcaResult } from './projection/pca';
export type { PointsInput } from './projection/matrix-input';
export { tsne, type TsneOptions, type TsneResult } from './projection/tsne';
export { trustworthiness, type TrustworthinessOptions } from './projection/trustworthiness';
export { scatterSvg, type ScatterSvgOptions } from './plot/scatter-svg';
// Training: Word2Vec, FastText and GloVe, their corpus handling and progress reporting.
export { Word2Vec, type Word2VecOptions, type ResolvedWord2VecOptions } from './training/word2vec';
export { FastText, type FastTextOptions, type ResolvedFastTextOptions } from './training/fasttext';
export { GloVe, type GloVeOptions } from './training/glove';
export { tokenizeText, type Corpus, type Sentence } from './training/corpus';
export type { Vocabulary, EncodedCorpus, VocabularyOptions } from './training/vocabulary';
export type { TrainingStats, TrainingEngine } from './training/training-loop';
export { progressBar, type TrainingProgress, type ProgressCallback } from './training/progress';
export { characterNgrams, fastTextHash, subwordBuckets } from './training/subwords';
export { huffmanCodes, type HuffmanCodes } from './training/huffman';
export { countCooccurrences, type Cooccurrences } from './training/cooccurrence';
export { neighbourLists, neighbourOverlap, type NeighbourLists } from './training/neighbour-overlap';
