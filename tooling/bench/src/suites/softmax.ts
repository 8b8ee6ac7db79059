/** Softmax over the last dim of a [rows, cols] float32 matrix, reported in ms per softmax. */
import { lazy, normalData } from '../harness';
import type { BenchmarkCase } from './suite';

/**
 * The softmax case (default 1024×1024, logits drawn from N(0, 3²) so the max-subtraction matters).
 * @example softmaxCase().unit // 'ms'
 */
export function softmaxCase(rows = 1024, cols = 1024): BenchmarkCase {
  const logits = lazy(() => normalData(rows * cols, 41, 3));
  return {
    id: `softmax-${rows}x${cols}`,
    suite: 'softmax',
    label: `softmax ${rows}×${cols} f32, dim -1`,
    unit: 'ms',
    opsPerRun: 1,
    tolerance: 1e-5,
    checkDescription: 'all probabilities',
    async prepare(side) {
      const x = side.fromArray(logits(), [rows, cols]);
      return {
        async run() {
          const probabilities = side.softmax(x);
          await side.read(probabilities);
          side.dispose(probabilities);
        },
        async output() {
          const probabilities = side.softmax(x);
          const values = Float32Array.from(await side.read(probabilities));
          side.dispose(probabilities);
          return values;
        },
        dispose() {
          side.dispose(x);
        },
      };
    },
  };
}
