import { BackendError, ValueError, isTensor, noGrad, tensor, type Tensor } from '@tessera/core';
import { SeededRandom, resolveSeed } from './random';

/** What {@link trainTestSplit} can split: tensors (along dim 0), arrays and typed arrays. */
export type Splittable = Tensor | readonly unknown[] | ArrayLike<number>;

/** `[train, test]` of each input in turn, each keeping its input's type. */
export type SplitPairs<T extends readonly Splittable[]> = T extends readonly [infer Head, ...infer Rest extends readonly Splittable[]]
  ? [Head, Head, ...SplitPairs<Rest>]
  : T extends readonly (infer Element)[]
    ? Element[]
    : never;

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** The test part: a fraction in (0, 1) (rounded up, as scikit-learn does) or a count of items. Default 0.25. */
  testSize?: number;
  /** Shuffle before splitting (default true). Stratified splits always shuffle. */
  shuffle?: boolean;
  /** Seed of the shuffle; without it one is drawn from core's global generator. */
  seed?: number;
  /** Class labels (one per item): the split keeps each class's proportion in both parts. */
  stratify?: Tensor | ArrayLike<number> | readonly (string | number)[];
}

/** The lengths the inputs share (they must agree). */
function commonLength(inputs: readonly Splittable[]): number {
  const lengths = inputs.map((input) => (isTensor(input) ? (input.ndim === 0 ? -1 : input.shape[0]) : input.length));
  if (lengths.some((length) => length < 0)) throw new ValueError('trainTestSplit: a 0-d tensor cannot be split; give tensors with a first (sample) dim');
  if (lengths.some((length) => length !== lengths[0])) {
    throw new ValueError(`trainTestSplit: every input must have the same number of items (first dim), got ${lengths.join(', ')}`);
  }
  return lengths[0];
}

/** The labels as a plain array, reading a tensor synchronously (cpu) with a helpful error otherwise. */
function labelsOf(stratify: NonNullable<TrainTestSplitOptions['stratify']>): ArrayLike<string | number> {
  if (!isTensor(stratify)) return stratify;
  try {
    return stratify.dataSync();
  } catch (error) {
    if (error instanceof BackendError) {
      throw new BackendError(`trainTestSplit: stratify needs the labels on the host; pass \`await labels.data()\` instead of a tensor on '${stratify.device}'`);
    }
    throw error;
  }
}

/** Number of test items for `n` items and a `testSize`. */
function testCount(n: number, testSize: number): number {
  let count: number;
  if (testSize > 0 && testSize < 1) count = Math.ceil(testSize * n);
  else if (Number.isInteger(testSize) && testSize >= 1) count = testSize;
  else throw new ValueError(`trainTestSplit: testSize must be a fraction in (0, 1) or a positive integer count, got ${testSize}`);
  if (count >= n) {
    throw new ValueError(`trainTestSplit: testSize ${testSize} leaves no training items out of ${n} (test part would have ${count})`);
  }
  return count;
}

/** Per-class test counts that sum to `total`, proportional to the class sizes (largest remainders). */
function allocate(classSizes: number[], total: number, n: number): number[] {
  const ideal = classSizes.map((size) => (size * total) / n);
  const counts = ideal.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = ideal.map((value, c) => [value - Math.floor(value), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, c] of byRemainder) {
    if (left === 0) break;
    counts[c]++;
    left--;
  }
  return counts;
}

/**
 * The train and test item indices of a split (what {@link trainTestSplit} applies to each input).
 * @example
 * const { train, test } = trainTestSplitIndices(10, { testSize: 0.2, seed: 0 }); // 8 and 2 indices
 */
export function trainTestSplitIndices(n: number, options: TrainTestSplitOptions = {}): { train: Int32Array; test: Int32Array } {
  const { testSize = 0.25, shuffle = true, stratify } = options;
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`trainTestSplit: need at least 2 items to split, got ${n}`);
  const nTest = testCount(n, testSize);
  if (stratify === undefined && !shuffle) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    return { train: all.slice(0, n - nTest), test: all.slice(n - nTest) };
  }
  const rng = new SeededRandom(resolveSeed(options.seed, 'trainTestSplit'));
  if (stratify === undefined) {
    const order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
    return { train: order.slice(nTest), test: order.slice(0, nTest) };
  }
  const labels = labelsOf(stratify);
  if (labels.length !== n) throw new ValueError(`trainTestSplit: stratify has ${labels.length} labels for ${n} items`);
  // Classes in order of first appearance; their members in item order.
  const members = new Map<string | number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(labels[i]);
    if (list) list.push(i);
    else members.set(labels[i], [i]);
  }
  const classes = [...members.values()];
  const small = [...members.entries()].find(([, list]) => list.length < 2);
  if (small) throw new ValueError(`trainTestSplit: class ${String(small[0])} has only ${small[1].length} item; stratify needs at least 2 per class`);
  if (nTest < classes.length || n - nTest < classes.length) {
    throw new ValueError(`trainTestSplit: with ${classes.length} classes both parts need at least ${classes.length} items (test ${nTest}, train ${n - nTest})`);
  }
  const perClass = allocate(classes.map((list) => list.length), nTest, n);
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((list, c) => {
    rng.shuffle(list);
    test.push(...list.slice(0, perClass[c]));
    train.push(...list.slice(perClass[c]));
  });
  return { train: rng.shuffle(Int32Array.from(train)), test: rng.shuffle(Int32Array.from(test)) };
}

function take(input: Splittable, indices: Int32Array): Splittable {
  if (isTensor(input)) return noGrad(() => {
    const index = tensor(indices, { device: input.device });
    try {
      return input.indexSelect(0, index);
    } finally {
      index.dispose();
    }
  });
  if (ArrayBuffer.isView(input)) {
    const typed = input as unknown as Int32Array;
    const out = new (typed.constructor as Int32ArrayConstructor)(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = typed[indices[i]];
    return out;
  }
  const list = input as readonly unknown[];
  return Array.from(indices, (i) => list[i]);
}

function isOptions(value: unknown): value is TrainTestSplitOptions {
  return value !== null && typeof value === 'object' && !isTensor(value) && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/**
 * Split tensors or arrays into a training part and a test part (scikit-learn's `train_test_split`):
 * returns `[train₀, test₀, train₁, test₁, …]`, the same items of every input going to the same part.
 * Tensors are split along dim 0 (new tensors the caller disposes); arrays keep their type.
 * Hold the test part out of training — including out of fitting scalers.
 *
 * @example
 * const [xTrain, xTest, yTrain, yTest] = trainTestSplit(x, y, { testSize: 0.2, seed: 0, stratify: labels });
 */
export function trainTestSplit<T extends Splittable[]>(...args: [...T, TrainTestSplitOptions]): SplitPairs<T>;
export function trainTestSplit<T extends Splittable[]>(...args: T): SplitPairs<T>;
export function trainTestSplit(...args: (Splittable | TrainTestSplitOptions)[]): Splittable[] {
  const last = args[args.length - 1];
  const options = isOptions(last) ? last : {};
  const inputs = (isOptions(last) ? args.slice(0, -1) : args) as Splittable[];
  if (inputs.length === 0) throw new ValueError('trainTestSplit: expected at least one tensor or array to split');
  const n = commonLength(inputs);
  const { train, test } = trainTestSplitIndices(n, options);
  return inputs.flatMap((input) => [take(input, train), take(input, test)]);
}

/** One fold of {@link kFold}: indices to train on and indices to validate on. */
export interface Fold {
  train: Int32Array;
  val: Int32Array;
}

/**
 * K-fold cross-validation indices (scikit-learn's `KFold`): the items are cut into `k` consecutive
 * folds (the first `n mod k` one item larger), optionally after a seeded shuffle; fold `i` validates
 * on part `i` and trains on the rest.
 *
 * @example
 * for (const { train, val } of kFold(150, 5, { shuffle: true, seed: 0 })) {
 *   // train: 120 indices, val: 30 indices (Int32Array, ready for tensor(...) and indexSelect)
 * }
 */
export function kFold(n: number, k: number, options: { shuffle?: boolean; seed?: number } = {}): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new ValueError(`kFold: k must be an integer ≥ 2, got ${k}`);
  if (!Number.isInteger(n) || n < k) throw new ValueError(`kFold: need at least k = ${k} items, got n = ${n}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (options.shuffle) new SeededRandom(resolveSeed(options.seed, 'kFold')).shuffle(order);
  const folds: Fold[] = [];
  let start = 0;
  for (let fold = 0; fold < k; fold++) {
    const size = Math.floor(n / k) + (fold < n % k ? 1 : 0);
    const val = order.slice(start, start + size);
    const train = new Int32Array(n - size);
    train.set(order.subarray(0, start), 0);
    train.set(order.subarray(start + size), start);
    folds.push({ train, val });
    start += size;
  }
  return folds;
}
