// Run from packages/backend-cpu after `pnpm build`: node bench/matmul-shapes-bench.mjs [rounds]
/* global process, console, performance */
// Wall-clock GFLOP/s of the float32 SIMD matmul on one and on two threads, interleaved in one process:
// 1024² in the four transpose combinations and the MLP 784-256-10 (batch 128) training step's two big
// products — forward x[128×784]·W1[784×256] and weight gradient xᵀ[784×128]·dh[128×256].
// Prints the median and the best of the rounds (the best is the least disturbed by other load).
import { CpuBackend } from '@tessera/backend-cpu';

const rounds = Number(process.argv[2] ?? 15);
const backends = [1, 2].map((threads) => new CpuBackend({ threads }));
for (const backend of backends) backend.pool?.waitUntilReady();
const cases = [
  ...['NN', 'TN', 'NT', 'TT'].map((t) => ({ name: `1024² ${t}`, m: 1024, k: 1024, n: 1024, ta: t[0] === 'T', tb: t[1] === 'T' })),
  { name: 'MLP fwd 128×784·784×256', m: 128, k: 784, n: 256, ta: false, tb: false },
  { name: 'MLP dW1 784×128ᵀ·128×256', m: 784, k: 128, n: 256, ta: true, tb: false },
];
const random = (size) => Float32Array.from({ length: size }, () => Math.random() * 2 - 1);
const prepared = cases.map((c) => {
  const a = random(c.m * c.k);
  const b = random(c.k * c.n);
  return backends.map((backend) => {
    const aId = backend.alloc(a.length, 'float32');
    const bId = backend.alloc(b.length, 'float32');
    backend.write(aId, a);
    backend.write(bId, b);
    // A transposed operand is stored [k, m] and read with swapped strides.
    const aView = { id: aId, dtype: 'float32', shape: [1, c.m, c.k], strides: c.ta ? [0, 1, c.m] : [0, c.k, 1], offset: 0 };
    const bView = { id: bId, dtype: 'float32', shape: [1, c.k, c.n], strides: c.tb ? [0, 1, c.k] : [0, c.n, 1], offset: 0 };
    const out = { id: backend.alloc(c.m * c.n, 'float32'), dtype: 'float32', shape: [1, c.m, c.n] };
    return () => backend.matmul(aView, bView, out);
  });
});
const times = cases.map(() => backends.map(() => []));
for (let round = -3; round < rounds; round++) {
  cases.forEach((c, ci) => backends.forEach((_, bi) => {
    const reps = Math.max(1, Math.round(2e8 / (2 * c.m * c.k * c.n)));
    const start = performance.now();
    for (let r = 0; r < reps; r++) prepared[ci][bi]();
    if (round >= 0) times[ci][bi].push((performance.now() - start) / reps);
  }));
}
const gflops = (c, ms) => ((2 * c.m * c.k * c.n) / ms / 1e6).toFixed(1);
const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
console.log(`load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}; GFLOP/s median (best) of ${rounds} rounds`);
for (const [ci, c] of cases.entries()) {
  console.log(`${c.name.padEnd(26)} 1 thread ${gflops(c, median(times[ci][0])).padStart(5)} (${gflops(c, Math.min(...times[ci][0]))})   2 threads ${gflops(c, median(times[ci][1])).padStart(5)} (${gflops(c, Math.min(...times[ci][1]))})`);
}
for (const backend of backends) backend.dispose();
