// Run from packages/backend-cpu after `pnpm build`: node bench/transpose-bench.mjs [n] (TESSERA_CPU_THREADS picks threads).
/* global process, console */
// Interleaved timing of the four transpose combinations of a 1024² float32 matmul on one thread.
import { CpuBackend } from '@tessera/backend-cpu';
const n = Number(process.argv[2] ?? 1024);
const backend = new CpuBackend({ threads: Number(process.env.TESSERA_CPU_THREADS ?? 1) });
const data = Float32Array.from({ length: n * n }, () => Math.random() * 2 - 1);
const a = backend.alloc(n * n, 'float32'); backend.write(a, data);
const b = backend.alloc(n * n, 'float32'); backend.write(b, data);
const out = { id: backend.alloc(n * n, 'float32'), dtype: 'float32', shape: [1, n, n] };
const view = (id, t) => ({ id, dtype: 'float32', shape: [1, n, n], strides: t ? [0, 1, n] : [0, n, 1], offset: 0 });
const combos = { NN: [false, false], TN: [true, false], NT: [false, true], TT: [true, true] };
const times = Object.fromEntries(Object.keys(combos).map((k) => [k, []]));
for (let round = 0; round < 15; round++) {
  for (const [name, [ta, tb]] of Object.entries(combos)) {
    const c0 = process.cpuUsage();
    backend.matmul(view(a, ta), view(b, tb), out);
    const c1 = process.cpuUsage(c0);
    times[name].push((c1.user + c1.system) / 1000); // CPU ms of this process: excludes time descheduled by other load
  }
}
const median = (xs) => xs.sort((p, q) => p - q)[xs.length >> 1];
const nn = median([...times.NN]);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(name, (2 * n ** 3 / m / 1e6).toFixed(1), 'GFLOP/s per CPU-second', (m / nn).toFixed(2) + '× NN time');
}
