/**
 * Element-wise add of two 1M-element float32 vectors, reported in GB/s of memory traffic
 * (two 4-byte reads and one 4-byte write per element).
 */
import { lazy, normalData } from '../harness';
import type { BenchmarkCase } from './suite';

/** Adds per timed run: reading the result back is paid once per run, so it is amortised over these. */
const ADDS_PER_RUN = 10;

/**
 * The add case for `size` elements.
 * @example addCase(1 << 20).workPerRun // 10 · 12 · 2^20 bytes
 */
export function addCase(size = 1 << 20): BenchmarkCase {
  const left = lazy(() => normalData(size, 31));
  const right = lazy(() => normalData(size, 32));
  return {
    id: 'add-1m',
    suite: 'add',
    label: `add ${size === 1 << 20 ? '1M' : size} f32 (×${ADDS_PER_RUN}/run)`,
    unit: 'GB/s',
    workPerRun: ADDS_PER_RUN * size * 3 * 4,
    opsPerRun: ADDS_PER_RUN,
    tolerance: 1e-6,
    checkDescription: 'all elements of a + b',
    async prepare(side) {
      const a = side.fromArray(left(), [size]);
      const b = side.fromArray(right(), [size]);
      return {
        async run() {
          let sum = side.add(a, b);
          for (let index = 1; index < ADDS_PER_RUN; index++) {
            side.dispose(sum);
            sum = side.add(a, b);
          }
          await side.read(sum);
          side.dispose(sum);
        },
        async output() {
          const sum = side.add(a, b);
          const values = Float32Array.from(await side.read(sum));
          side.dispose(sum);
          return values;
        },
        dispose() {
          side.dispose(a);
          side.dispose(b);
        },
      };
    },
  };
}
