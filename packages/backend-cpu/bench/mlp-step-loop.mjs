// The MLP 784-256-10 training step (batch 128, SGD) of tooling/bench, in a tight loop: 30 warm-up steps,
// then N timed steps back to back (no gc between steps, no other library interleaved). Shows the step's
// cost with a warm worker pool; tooling/bench's number adds a gc before each run and tfjs in between.
// Run after `pnpm build`: node bench/mlp-step-loop.mjs [steps]   (TESSERA_CPU_THREADS=1 for one thread;
// node --experimental-wasm-relaxed-simd for FMA on Node 20)
/* global process, console, performance */
import * as core from '@tessera/core';
import '../dist/index.js';

await core.setBackend('cpu');
const [inputs, hidden, classes, batch] = [784, 256, 10, 128];
let state = 12345;
const values = (count) => Float32Array.from({ length: count }, () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return (state / 2 ** 32 - 0.5) * 0.1;
});
const parameter = (data, shape) => core.tensor(data, { shape }).requiresGrad_();
const w1 = parameter(values(inputs * hidden), [inputs, hidden]);
const b1 = parameter(values(hidden), [hidden]);
const w2 = parameter(values(hidden * classes), [hidden, classes]);
const b2 = parameter(values(classes), [classes]);
const x = core.tensor(values(batch * inputs), { shape: [batch, inputs] });
const oneHot = new Float32Array(batch * classes);
for (let i = 0; i < batch; i++) oneHot[i * classes + (i % classes)] = 1;
const y = core.tensor(oneHot, { shape: [batch, classes] });
const parameters = [w1, b1, w2, b2];

async function step() {
  const loss = core.tidy(() => {
    const h = x.matmul(w1).add(b1).relu();
    return h.matmul(w2).add(b2).logSoftmax(-1).mul(y).sum().neg().div(batch);
  });
  loss.backward();
  core.noGrad(() => core.tidy(() => { for (const p of parameters) p.assign(p.sub(p.grad.mul(0.1))); }));
  for (const p of parameters) { p.grad.dispose(); p.grad = null; }
  const value = (await loss.data())[0];
  loss.dispose();
  await b2.data();
  return value;
}

for (let i = 0; i < 30; i++) await step();
const steps = Number(process.argv[2] ?? 200);
const times = [];
for (let i = 0; i < steps; i++) {
  const start = performance.now();
  await step();
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const config = core.resolveBackend('cpu').config;
console.log(`MLP step, ${config.threads} thread(s)${config.relaxedSimd ? ', FMA' : ''}: median ${times[steps >> 1].toFixed(2)} ms, p10 ${times[Math.floor(steps / 10)].toFixed(2)} ms over ${steps} steps`);
process.exit(0);
