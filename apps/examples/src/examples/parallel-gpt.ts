/**
 * parallel-gpt: the two ways past one device, on one machine, with a char GPT on Moby Dick and two
 * instances of the CPU backend ('cpu' and 'cpu-1'):
 *
 * - data parallelism (`DataParallel`): each instance holds a replica and runs half of every batch; the
 *   gradients are summed in a fixed order — the step is bitwise the one-device step that accumulates
 *   the two halves;
 * - model parallelism: the first half of the blocks (with the embeddings and the tied head) on 'cpu',
 *   the second half on 'cpu-1'; activations cross with `.to()` and gradients cross back — the same loss
 *   as on one backend.
 *
 * It prints the loss of each and the seconds per step (after a first, untimed step) beside the one-device run: JavaScript runs the
 * instances one after another, so on CPU backends the cost is the transfers and bookkeeping, not a
 * speed-up (that needs backends that compute asynchronously, such as WebGPU).
 */
import { createCpuPlugin } from '@tessera/backend-cpu';
import { arange, listBackends, manualSeed, registerBackend, tidy, type Tensor } from '@tessera/core';
import { RandomWindowSampler } from '@tessera/data';
import { DataParallel, F } from '@tessera/nn';
import { AdamW } from '@tessera/optim';
import { GPT, type GPTOptions } from '@tessera/models-transformer';
import { printer, round, table, type ExampleOptions } from '../common';
import { loadText } from '../gpt/text';
import { charTokenizer } from '../gpt/tokenizer';

export interface ParallelGptOptions extends ExampleOptions {
  /** Training steps of each run (default 30; quick: 3). */
  steps?: number;
}

const SECOND = 'cpu-1';

/** The loss of `gpt` on `x`, `y` with blocks `cut…` (and ln_f) on the second backend: activations go there and back. */
async function splitLoss(gpt: GPT, x: Tensor, y: Tensor, cut: number): Promise<Tensor> {
  const { wte, wpe, drop, ln_f } = gpt.transformer;
  const first = tidy(() => {
    let h = drop.forward(wte.forward(x).add(wpe.forward(arange(0, x.shape[1], 1))));
    for (const block of gpt.blocks.slice(0, cut)) h = block.forward(h);
    return h;
  });
  const there = await first.to(SECOND);
  const second = tidy(() => ln_f.forward(gpt.blocks.slice(cut).reduce((h, block) => block.forward(h), there)));
  const back = await second.to(x.device);
  const loss = tidy(() => {
    const logits = gpt.lm_head.forward(back);
    return F.crossEntropy(logits.reshape([-1, logits.shape[2]]), y.reshape([-1]));
  });
  for (const t of [first, there, second, back]) t.dispose();
  return loss;
}

export async function main(options: ParallelGptOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const steps = options.steps ?? (quick ? 3 : 30);
  if (!listBackends().includes(SECOND)) registerBackend(createCpuPlugin({ name: SECOND }));
  const text = loadText(null).slice(0, quick ? 50_000 : 400_000);
  const tokenizer = charTokenizer(text);
  const tokens = Int32Array.from(tokenizer.encode(text));
  const config: GPTOptions = quick
    ? { vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 2, nHead: 2, nEmbd: 32 }
    : { vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 };
  const batchSize = quick ? 8 : 16;
  const batches = () => new RandomWindowSampler(tokens, { blockSize: config.blockSize, batchSize, seed: 7 });
  const lossOf = (model: GPT, x: Tensor, y: Tensor) => model.forward(x, { targets: y }).loss!;
  print(`char GPT ${config.nLayer} blocks × ${config.nEmbd}, batch ${batchSize} × ${config.blockSize}, ${steps} AdamW steps per run; backends 'cpu' and '${SECOND}'`);

  const runs: { name: string; losses: number[]; seconds: number }[] = [];
  const time = async (name: string, step: (x: Tensor, y: Tensor) => Promise<number>) => {
    const sampler = batches();
    const losses: number[] = [];
    let started = performance.now();
    for (let i = 0; i < steps; i++) {
      if (i === 1) started = performance.now(); // the first step warms the backends up: not timed
      const [x, y] = sampler.sample();
      losses.push(await step(x, y));
      x.dispose();
      y.dispose();
    }
    runs.push({ name, losses, seconds: (performance.now() - started) / 1000 / Math.max(1, steps - 1) });
  };

  // One device.
  manualSeed(0);
  const single = new GPT(config);
  const initial = single.stateDict();
  const fresh = () => {
    const model = new GPT(config);
    model.loadStateDict(initial);
    return model;
  };
  const singleCopy = fresh();
  let optimizer = new AdamW(singleCopy.parameters(), { lr: 1e-3 });
  await time('one backend', async (x, y) => {
    optimizer.zeroGrad();
    const loss = tidy(() => lossOf(singleCopy, x, y));
    loss.backward();
    optimizer.step();
    const value = await loss.item();
    loss.dispose();
    return value;
  });
  optimizer.dispose();

  // One device, the two halves of each batch accumulated: what data parallelism must equal bitwise.
  const accumulated = fresh();
  optimizer = new AdamW(accumulated.parameters(), { lr: 1e-3 });
  await time('one backend, 2 half-batches accumulated', async (x, y) => {
    optimizer.zeroGrad();
    let total = 0;
    for (const [xs, ys] of [[x.narrow(0, 0, batchSize / 2), y.narrow(0, 0, batchSize / 2)], [x.narrow(0, batchSize / 2, batchSize / 2), y.narrow(0, batchSize / 2, batchSize / 2)]]) {
      const loss = tidy(() => lossOf(accumulated, xs, ys));
      tidy(() => loss.mul(0.5).backward());
      total += (await loss.item()) * 0.5;
      for (const t of [loss, xs, ys]) t.dispose();
    }
    optimizer.step();
    return total;
  });
  optimizer.dispose();

  // Data parallel: a replica per backend instance.
  const parallel = await DataParallel.create(fresh, ['cpu', SECOND]);
  const optimizers = parallel.replicas.map((replica) => new AdamW(replica.parameters(), { lr: 1e-3 }));
  await time('data parallel (2 instances)', async (x, y) => {
    const loss = await parallel.forwardBackward(x, y, lossOf);
    for (const o of optimizers) o.step();
    return loss;
  });
  let sameAsAccumulated = true;
  for (const [j, p] of accumulated.parameters().entries()) {
    const [a, b] = [await p.data(), await parallel.module.parameters()[j].data()];
    if (a.some((v, i) => v !== b[i])) sameAsAccumulated = false;
  }

  // Model parallel: blocks split between the instances.
  const split = fresh();
  const cut = config.nLayer / 2;
  for (const module of [...split.blocks.slice(cut), split.transformer.ln_f]) await module.to(SECOND);
  optimizer = new AdamW(split.parameters(), { lr: 1e-3 });
  await time('model parallel (blocks split)', async (x, y) => {
    optimizer.zeroGrad();
    const loss = await splitLoss(split, x, y, cut);
    loss.backward();
    optimizer.step();
    const value = await loss.item();
    loss.dispose();
    return value;
  });
  optimizer.dispose();

  const base = runs[0];
  print(table(['run', 'first loss', 'last loss', 's / step', 'vs one backend'], runs.map((r) => [r.name, r.losses[0], r.losses.at(-1)!, r.seconds, `${(r.seconds / base.seconds).toFixed(2)}×`])));
  const modelParallelDeviation = Math.max(...runs[3].losses.map((loss, i) => Math.abs(loss - base.losses[i])));
  print(`\ndata parallel = one backend accumulating the two halves, bit for bit: ${sameAsAccumulated}`);
  print(`model parallel vs one backend: largest loss difference over the run ${modelParallelDeviation.toExponential(2)}`);
  for (const model of [single, singleCopy, accumulated, split, ...parallel.replicas]) model.dispose();
  for (const o of optimizers) o.dispose();
  return {
    sameAsAccumulated,
    modelParallelDeviation,
    secondsPerStep: Object.fromEntries(runs.map((r) => [r.name, round(r.seconds, 3)])),
    losses: Object.fromEntries(runs.map((r) => [r.name, r.losses.map((v) => round(v, 6))])),
  };
}
