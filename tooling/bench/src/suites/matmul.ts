/** Square float32 matrix multiplication, reported in GFLOP/s (2·n³ floating-point operations). */
import { lazy, normalData } from '../harness';
import type { BenchmarkCase } from './suite';

/**
 * One case per size: C = A·B with A, B of shape [n, n] drawn from N(0, 1).
 * @example matmulCases([256]) // [{ id: 'matmul-256', unit: 'GFLOP/s', ... }]
 */
export function matmulCases(sizes: readonly number[] = [256, 512, 1024]): BenchmarkCase[] {
  return sizes.map((size) => {
    const left = lazy(() => normalData(size * size, 1000 + size));
    const right = lazy(() => normalData(size * size, 2000 + size));
    return {
      id: `matmul-${size}`,
      suite: 'matmul',
      label: `matmul ${size}×${size} f32`,
      unit: 'GFLOP/s',
      workPerRun: 2 * size ** 3,
      opsPerRun: 1,
      tolerance: 1e-3,
      checkDescription: 'all elements of C',
      async prepare(side) {
        const a = side.fromArray(left(), [size, size]);
        const b = side.fromArray(right(), [size, size]);
        return {
          async run() {
            const product = side.matmul(a, b);
            await side.read(product);
            side.dispose(product);
          },
          async output() {
            const product = side.matmul(a, b);
            const values = Float32Array.from(await side.read(product));
            side.dispose(product);
            return values;
          },
          dispose() {
            side.dispose(a);
            side.dispose(b);
          },
        };
      },
    };
  });
}
