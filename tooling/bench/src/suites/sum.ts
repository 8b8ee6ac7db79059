/**
 * Sum of a 1M-element float32 vector (a full reduction), reported in GB/s of input read.
 * The {@link Side} adapter has no reduction, so this suite calls each framework's public `sum`
 * directly (Tessera: `Tensor.sum()`; tfjs: `tf.sum`).
 */
import { lazy, normalData } from '../harness';
import type { Side } from '../side';
import type { BenchmarkCase } from './suite';

/** Sums per timed run (the read-back is paid once per run). */
const SUMS_PER_RUN = 10;

interface Summable { sum(): Summable; data(): Promise<ArrayLike<number>>; dispose(): void }

/**
 * The sum case for `size` elements.
 * @example sumCase().id // 'sum-1m'
 */
export function sumCase(size = 1 << 20): BenchmarkCase {
  const values = lazy(() => normalData(size, 41));
  return {
    id: 'sum-1m',
    suite: 'sum',
    label: `sum 1M f32 (×${SUMS_PER_RUN}/run)`,
    unit: 'GB/s',
    workPerRun: SUMS_PER_RUN * size * 4,
    opsPerRun: SUMS_PER_RUN,
    tolerance: 1e-4,
    checkDescription: 'the sum',
    async prepare(side: Side) {
      let make: () => Summable;
      let input: { dispose(): void };
      if (side.name === 'tessera-cpu') {
        const core = (await import('@tessera/core')) as unknown as { tensor(data: Float32Array): Summable };
        const x = core.tensor(values());
        input = x;
        make = () => x.sum();
      } else {
        await side.activate();
        const tf = await import('@tensorflow/tfjs');
        const x = tf.tensor1d(values());
        input = x;
        make = () => tf.sum(x) as unknown as Summable;
      }
      const once = async (): Promise<Float32Array> => {
        let total = make();
        for (let index = 1; index < SUMS_PER_RUN; index++) {
          total.dispose();
          total = make();
        }
        const result = Float32Array.from(await total.data());
        total.dispose();
        return result;
      };
      return {
        async run() {
          await once();
        },
        output: once,
        dispose() {
          input.dispose();
        },
      };
    },
  };
}
