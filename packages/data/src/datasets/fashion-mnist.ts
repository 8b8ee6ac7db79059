import { ValueError, tensor, type Tensor } from '@tessera/core';
import { DataFormatError } from '../loaders/errors';
import { loadIDX } from '../loaders/idx';
import { importNodeBuiltin, isNode } from '../loaders/node-import';

/**
 * Where Debian's `dataset-fashion-mnist` package installs the files.
 * @example
 * loadFashionMNIST({ dir: FASHION_MNIST_DIR, split: 'test' });
 */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * The ten Fashion-MNIST classes, by label.
 * @example
 * FASHION_MNIST_CLASS_NAMES[9]; // 'Ankle boot'
 */
export const FASHION_MNIST_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Options of {@link loadFashionMNIST}. */
export interface LoadFashionMNISTOptions {
  /** Folder holding the IDX files (default {@link FASHION_MNIST_DIR}). */
  dir?: string;
  /** `'train'` (60 000 images, the default) or `'test'` (10 000). */
  split?: 'train' | 'test';
  /** Shape the images `[N, 1, 28, 28]` instead of `[N, 784]` (default false). */
  images?: boolean;
  /** Keep only the first `limit` examples (quick experiments, tests). */
  limit?: number;
  device?: string;
}

/** Fashion-MNIST as tensors. */
export interface FashionMNIST {
  /** float32 pixels scaled to [0, 1]: `[N, 784]`, or `[N, 1, 28, 28]` with `images: true`. */
  images: Tensor;
  /** int32 `[N]` class indices 0–9. */
  labels: Tensor;
  classNames: string[];
}

async function readFirst(dir: string, base: string): Promise<Uint8Array> {
  if (!isNode()) throw new ValueError('loadFashionMNIST: reading a folder needs Node; in a browser fetch the files and use loadIDX');
  const { readFile } = await importNodeBuiltin('fs/promises');
  const { join } = await importNodeBuiltin('path');
  for (const name of [`${base}.gz`, base]) {
    try {
      const buffer: Uint8Array = await readFile(join(dir, name));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
  throw new ValueError(
    `loadFashionMNIST: ${base}.gz not found in ${dir}. Install Debian's package (sudo apt-get install dataset-fashion-mnist, ` +
      `which fills ${FASHION_MNIST_DIR}) or download the four IDX files from https://github.com/zalando-research/fashion-mnist ` +
      `and pass { dir: '/path/to/folder' }.`,
  );
}

/**
 * Loads Fashion-MNIST (Zalando's 28 × 28 grey-scale clothing images, 10 classes) from a folder of IDX
 * files — `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
 * `t10k-labels-idx1-ubyte.gz` (gzip or not) — in Node. Pixels are scaled to [0, 1].
 * In a browser, fetch the files and use {@link loadIDX} directly.
 *
 * @example
 * const { images, labels } = await loadFashionMNIST({ split: 'test' }); // [10000, 784], [10000]
 */
export async function loadFashionMNIST(options: LoadFashionMNISTOptions = {}): Promise<FashionMNIST> {
  const { dir = FASHION_MNIST_DIR, split = 'train', images: asImages = false, limit } = options;
  if (split !== 'train' && split !== 'test') throw new ValueError(`loadFashionMNIST: split must be 'train' or 'test', got '${String(split)}'`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new ValueError(`loadFashionMNIST: limit must be a non-negative integer, got ${limit}`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const [imageFile, labelFile] = await Promise.all([
    readFirst(dir, `${prefix}-images-idx3-ubyte`).then(loadIDX),
    readFirst(dir, `${prefix}-labels-idx1-ubyte`).then(loadIDX),
  ]);
  const [count, height, width] = imageFile.shape;
  if (imageFile.dtype !== 'uint8' || imageFile.shape.length !== 3 || labelFile.dtype !== 'uint8' || labelFile.shape.length !== 1) {
    throw new DataFormatError(
      `loadFashionMNIST: expected uint8 images [N, 28, 28] and uint8 labels [N], got ${imageFile.dtype} [${imageFile.shape.join(', ')}] and ${labelFile.dtype} [${labelFile.shape.join(', ')}]`,
    );
  }
  if (labelFile.shape[0] !== count) throw new DataFormatError(`loadFashionMNIST: ${count} images but ${labelFile.shape[0]} labels`);
  const n = Math.min(count, limit ?? count);
  const pixels = height * width;
  const values = new Float32Array(n * pixels);
  const source = imageFile.data;
  for (let i = 0; i < values.length; i++) values[i] = source[i] / 255;
  const shape = asImages ? [n, 1, height, width] : [n, pixels];
  return {
    images: tensor(values, { shape, device: options.device }),
    labels: tensor(Int32Array.from(labelFile.data.subarray(0, n)), { device: options.device }),
    classNames: [...FASHION_MNIST_CLASS_NAMES],
  };
}
