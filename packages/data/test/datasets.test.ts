import '@tessera/backend-cpu';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR, loadDigits, loadFashionMNIST, loadIDX, loadIris, serializeIDX } from '../src';
import { decodeBase64 } from '../src/datasets/decode';
import { tidied } from './helpers';
import { findSharedDataFile } from './shared-data';

const IRIS_CSV = findSharedDataFile('iris.csv');
const DIGITS_CSV = findSharedDataFile('digits.csv.gz');


function labelCounts(labels: ArrayLike<number>): number[] {
  const counts: number[] = [];
  for (let i = 0; i < labels.length; i++) counts[labels[i]] = (counts[labels[i]] ?? 0) + 1;
  return counts;
}

describe('decodeBase64', () => {
  it('decodes with and without padding', tidied(() => {
    expect([...decodeBase64('AQID')]).toEqual([1, 2, 3]);
    expect([...decodeBase64('AQI=')]).toEqual([1, 2]);
    expect([...decodeBase64('AQ==')]).toEqual([1]);
    expect([...decodeBase64(Buffer.from([0, 255, 128, 7, 9]).toString('base64'))]).toEqual([0, 255, 128, 7, 9]);
  }));
});

describe('loadIris', () => {
  it('150 × 4 float32 features, 50 of each of 3 classes', tidied(() => {
    const { features, labels, featureNames, classNames } = loadIris();
    expect(features.shape).toEqual([150, 4]);
    expect(features.dtype).toBe('float32');
    expect(labels.shape).toEqual([150]);
    expect(labels.dtype).toBe('int32');
    expect(labelCounts(labels.dataSync())).toEqual([50, 50, 50]);
    expect(classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(featureNames).toEqual(['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
    expect((features.arraySync() as number[][])[0]).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    features.dispose();
    labels.dispose();
  }));

  it.skipIf(!IRIS_CSV)('matches the reference iris.csv exactly', tidied(() => {
    const rows = readFileSync(IRIS_CSV!, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
    const { features, labels } = loadIris();
    expect(features.arraySync()).toEqual(rows.map((row) => row.slice(0, 4).map(Math.fround)));
    expect([...labels.dataSync()]).toEqual(rows.map((row) => row[4]));
  }));
});

describe('loadDigits', () => {
  it('1797 × 64 float32 pixels in 0–16 and labels 0–9', tidied(() => {
    const { features, labels, featureNames, classNames } = loadDigits();
    expect(features.shape).toEqual([1797, 64]);
    expect(features.dtype).toBe('float32');
    expect(labels.dtype).toBe('int32');
    expect(features.amax().itemSync()).toBe(16);
    expect(features.amin().itemSync()).toBe(0);
    expect(labelCounts(labels.dataSync())).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(featureNames.length).toBe(64);
    expect(featureNames[9]).toBe('pixel_1_1');
    expect(classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    features.dispose();
    labels.dispose();
  }));

  it('images: true shapes the features [N, 1, 8, 8]', tidied(() => {
    const { features, labels } = loadDigits({ images: true });
    expect(features.shape).toEqual([1797, 1, 8, 8]);
    features.dispose();
    labels.dispose();
  }));

  it.skipIf(!DIGITS_CSV)('matches the reference digits.csv.gz exactly', tidied(() => {
    const rows = gunzipSync(readFileSync(DIGITS_CSV!)).toString('utf8').trim().split('\n').map((line) => line.split(',').map(Number));
    const { features, labels } = loadDigits();
    expect([...features.dataSync()]).toEqual(rows.flatMap((row) => row.slice(0, 64)));
    expect([...labels.dataSync()]).toEqual(rows.map((row) => row[64]));
  }));
});

const hasFashionMNIST = existsSync(`${FASHION_MNIST_DIR}/t10k-labels-idx1-ubyte.gz`);
if (!hasFashionMNIST) {
  console.warn(`Fashion-MNIST tests on real files skipped: ${FASHION_MNIST_DIR} is missing (apt-get install dataset-fashion-mnist)`);
}

describe('loadFashionMNIST', () => {
  it.skipIf(!hasFashionMNIST)('real files: IDX headers of the four files', async () => {
    const expected: Record<string, number[]> = {
      'train-images-idx3-ubyte.gz': [60000, 28, 28],
      'train-labels-idx1-ubyte.gz': [60000],
      't10k-images-idx3-ubyte.gz': [10000, 28, 28],
      't10k-labels-idx1-ubyte.gz': [10000],
    };
    for (const [name, shape] of Object.entries(expected)) {
      const content = await loadIDX(readFileSync(`${FASHION_MNIST_DIR}/${name}`));
      expect(content.shape).toEqual(shape);
      expect(content.dtype).toBe('uint8');
    }
  });

  it.skipIf(!hasFashionMNIST)('real files: the test split as [10000, 784] in [0, 1], 1000 per class', async () => {
    const { images, labels, classNames } = await loadFashionMNIST({ split: 'test' });
    expect(images.shape).toEqual([10000, 784]);
    expect(images.dtype).toBe('float32');
    expect(images.amax().itemSync()).toBe(1);
    expect(images.amin().itemSync()).toBe(0);
    expect(labels.dtype).toBe('int32');
    expect(labelCounts(labels.dataSync())).toEqual(Array(10).fill(1000));
    expect(classNames[9]).toBe('Ankle boot');
    images.dispose();
    labels.dispose();
  });

  it('a synthetic folder: images scaled to [0, 1], [N, 1, 28, 28] on request, limit', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { gzipSync } = await import('node:zlib');
    const dir = mkdtempSync(`${tmpdir()}/fmnist-`);
    const pixels = Array.from({ length: 3 * 28 * 28 }, (_, i) => i % 256);
    writeFileSync(`${dir}/train-images-idx3-ubyte.gz`, gzipSync(serializeIDX(pixels, [3, 28, 28])));
    // Labels uncompressed: the loader falls back to the name without .gz.
    writeFileSync(`${dir}/train-labels-idx1-ubyte`, serializeIDX([9, 0, 4], [3]));
    const flat = await loadFashionMNIST({ dir });
    expect(flat.images.shape).toEqual([3, 784]);
    expect((flat.images.dataSync() as Float32Array)[255]).toBe(1);
    expect((flat.images.dataSync() as Float32Array)[51]).toBeCloseTo(0.2, 6);
    expect(flat.labels.arraySync()).toEqual([9, 0, 4]);
    const images = await loadFashionMNIST({ dir, images: true, limit: 2 });
    expect(images.images.shape).toEqual([2, 1, 28, 28]);
    expect(images.labels.arraySync()).toEqual([9, 0]);
    for (const t of [flat.images, flat.labels, images.images, images.labels]) t.dispose();
  });

  it('a missing folder is an error that says how to install the data', async () => {
    await expect(loadFashionMNIST({ dir: '/nonexistent/fashion' })).rejects.toThrow(
      /train-images-idx3-ubyte.gz not found in \/nonexistent\/fashion. Install Debian's package \(sudo apt-get install dataset-fashion-mnist/,
    );
    await expect(loadFashionMNIST({ split: 'validation' as never })).rejects.toThrow(/split must be 'train' or 'test'/);
  });
});
