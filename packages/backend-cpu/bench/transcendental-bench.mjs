// exp/log/tanh/sigmoid on 1M float32 and softmax/logSoftmax over the last axis of 1024×1024:
// the JavaScript kernels (simd: false) against the WebAssembly SIMD kernels on 1 thread and on
// `threads: 'auto'`, interleaved in one process, median of the runs. Run after `pnpm build`:
// `node bench/transcendental-bench.mjs [runs]`.
/* global console, process, performance */
import { CpuBackend } from '../dist/index.js';

const runs = Number(process.argv[2] ?? 15);
const N = 1 << 20;
const sides = {
  js: new CpuBackend({ simd: false, threads: 1 }),
  'simd-1t': new CpuBackend({ threads: 1 }),
  'simd-auto': new CpuBackend({ threads: 'auto' }),
};
const values = Float32Array.from({ length: N }, () => Math.random() * 8 - 4);
const positive = values.map(Math.abs);
const setups = {};
for (const [name, backend] of Object.entries(sides)) {
  const input = (data, shape) => {
    const id = backend.alloc(data.length, 'float32');
    backend.write(id, data);
    return { id, dtype: 'float32', shape, strides: shape.length === 1 ? [1] : [shape[1], 1], offset: 0 };
  };
  setups[name] = {
    backend, x: input(values, [N]), xp: input(positive, [N]), x2: input(values, [1024, 1024]),
    out: { id: backend.alloc(N, 'float32'), dtype: 'float32', shape: [N] },
    out2: { id: backend.alloc(N, 'float32'), dtype: 'float32', shape: [1024, 1024] },
  };
}
const cases = {
  exp: (s) => s.backend.unary('exp', s.x, s.out),
  log: (s) => s.backend.unary('log', s.xp, s.out),
  tanh: (s) => s.backend.unary('tanh', s.x, s.out),
  sigmoid: (s) => s.backend.unary('sigmoid', s.x, s.out),
  'softmax 1024²': (s) => s.backend.softmax(s.x2, 1, s.out2),
  'logSoftmax 1024²': (s) => s.backend.logSoftmax(s.x2, 1, s.out2),
};
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
console.log(`threads auto = ${sides['simd-auto'].config.threads}; ${runs} interleaved runs; median ms (GB/s read+write)`);
for (const [label, fn] of Object.entries(cases)) {
  const times = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (const k of Object.keys(sides)) fn(setups[k]); // warm-up
  for (let r = 0; r < runs; r++) {
    for (const k of Object.keys(sides)) {
      const t0 = performance.now();
      fn(setups[k]);
      times[k].push(performance.now() - t0);
    }
  }
  const cells = Object.keys(sides).map((k) => {
    const ms = median(times[k]);
    return `${k} ${ms.toFixed(2)} ms (${((8 * N) / ms / 1e6).toFixed(1)} GB/s)`;
  });
  console.log(`${label.padEnd(18)} ${cells.join('  ')}`);
}
for (const backend of Object.values(sides)) backend.dispose?.();
process.exit(0);
