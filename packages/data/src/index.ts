/**
 * @tessera/data — data sets, data loaders, splits, scalers, CSV and IDX loaders, and bundled iris and
 * 8 × 8 digits data for Tessera.
 *
 * @example
 * import '@tessera/backend-cpu';
 * import { DataLoader, TensorDataset, loadIris, trainTestSplit } from '@tessera/data';
 * const { features, labels } = loadIris();
 * const [xTrain, xTest, yTrain, yTest] = trainTestSplit(features, labels, { testSize: 0.2, seed: 0, stratify: labels });
 * for (const [x, y] of new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 16, shuffle: true, seed: 0 })) { … }
 */
export { Dataset, checkItemIndex } from './dataset';
export { TensorDataset } from './tensor-dataset';
export { DataLoader, type DataLoaderOptions, type DataLoaderState } from './data-loader';
export { defaultCollate } from './collate';
export { trainTestSplit, trainTestSplitIndices, kFold, type Fold, type Splittable, type SplitPairs, type TrainTestSplitOptions } from './split';
export { oneHot } from './one-hot';
export { StandardScaler, MinMaxScaler } from './scalers';
export { SeededRandom, randomPermutation } from './random';
export { RandomWindowSampler, type RandomWindowSamplerOptions, type RandomWindowSamplerState, type TokenArray } from './random-window-sampler';

export { DataFormatError } from './loaders/errors';
export { parseCSV, readCSVRecords, type CSVColumnType, type ParseCSVOptions, type ParsedCSV } from './loaders/csv';
export { parseIDX, loadIDX, serializeIDX, IDX_TYPE_CODES, type IDXContent, type IDXData, type IDXDType } from './loaders/idx';
export { gunzip, isGzip } from './loaders/gzip';

export { loadIris, IRIS_FEATURE_NAMES, type ToyDataset } from './datasets/iris';
export { loadDigits } from './datasets/digits';
export {
  loadFashionMNIST,
  FASHION_MNIST_DIR,
  FASHION_MNIST_CLASS_NAMES,
  type LoadFashionMNISTOptions,
  type FashionMNIST,
} from './datasets/fashion-mnist';
export * from './text/index';
