import { matmulKernel } from '../src/kernels/matmul';

function contiguousStrides(shape: number[]): number[] {
  const strides = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

function run(size: number, transA: boolean, transB: boolean, dtype: 'float32' | 'float64'): number {
  const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
  const aData = new Ctor(size * size).map(() => Math.random() - 0.5);
  const bData = new Ctor(size * size).map(() => Math.random() - 0.5);
  const out = new Ctor(size * size);
  // A transposed operand is the same buffer read with swapped strides.
  const aStrides = transA ? [0, 1, size] : [0, size, 1];
  const bStrides = transB ? [0, 1, size] : [0, size, 1];
  void contiguousStrides;
  const a = { data: aData, shape: [1, size, size], strides: aStrides, offset: 0 };
  const b = { data: bData, shape: [1, size, size], strides: bStrides, offset: 0 };
  const reps = size <= 256 ? 20 : size <= 512 ? 5 : 2;
  matmulKernel(a, b, out); // warm up
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    matmulKernel(a, b, out);
    best = Math.min(best, performance.now() - start);
  }
  return (2 * size ** 3) / (best * 1e6);
}

const dtypes = (process.argv[2] ?? 'float32').split(',') as Array<'float32' | 'float64'>;
for (const dtype of dtypes) {
  for (const size of [256, 512, 1024]) {
    const parts: string[] = [];
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      parts.push(`${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${run(size, ta, tb, dtype).toFixed(2)}`);
    }
    console.log(`${dtype} ${size}: ${parts.join('  ')} GFLOP/s`);
  }
}
