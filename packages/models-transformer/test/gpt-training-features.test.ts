/**
 * The GPT under the training features of core, nn and optim: activation checkpointing (bitwise-equal
 * gradients, lower peak memory), mixed precision (trains under autocast), and a model split across two
 * backends (model parallelism: the same loss as on one backend).
 */
import '@tessera/backend-cpu';
import { createCpuPlugin } from '@tessera/backend-cpu';
import { arange, autocast, manualSeed, memory, randint, registerBackend, resetPeakMemory, tensor, tidy, type Tensor } from '@tessera/core';
import { GradScaler, AdamW } from '@tessera/optim';
import { describe, expect, it } from 'vitest';
import { GPT, type GPTOptions } from '../src/index';

function batch(config: Pick<GPTOptions, 'vocabSize'>, rows: number, time: number): { x: Tensor; y: Tensor } {
  return { x: randint(0, config.vocabSize, [rows, time], { dtype: 'int32' }), y: randint(0, config.vocabSize, [rows, time], { dtype: 'int32' }) };
}

async function gradients(model: GPT): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  for (const [name, param] of model.namedParameters()) result.set(name, Array.from(await param.grad!.data()));
  return result;
}

/** The largest `memory().bytesInUse` while `fn` runs (every allocation counts). */
function peakBytesDuring(fn: () => void): number {
  resetPeakMemory();
  fn();
  return memory().peakBytesInUse;
}

describe('GPT with gradientCheckpointing', () => {
  it('gives bitwise the gradients of the plain model (dropout on: the recomputation repeats the masks)', async () => {
    const config: GPTOptions = { vocabSize: 20, blockSize: 16, nLayer: 3, nHead: 2, nEmbd: 16, dropout: 0.1 };
    const runs: Map<string, number[]>[] = [];
    const losses: number[] = [];
    for (const gradientCheckpointing of [false, true]) {
      manualSeed(0);
      const model = new GPT({ ...config, gradientCheckpointing });
      const { x, y } = batch(config, 4, 16);
      manualSeed(1);
      const loss = tidy(() => model.forward(x, { targets: y }).loss!);
      losses.push(await loss.item());
      loss.backward();
      runs.push(await gradients(model));
      loss.dispose();
      model.dispose();
    }
    expect(losses[1]).toBe(losses[0]);
    expect([...runs[1].keys()]).toEqual([...runs[0].keys()]);
    for (const [name, values] of runs[0]) expect(runs[1].get(name), name).toEqual(values);
  });

  it('an 8-layer GPT\'s backward peaks at ≤ 60 % of the memory of the run without', async () => {
    const config: GPTOptions = { vocabSize: 16, blockSize: 64, nLayer: 8, nHead: 2, nEmbd: 32 };
    const peaks: number[] = [];
    const baselines: number[] = [];
    for (const gradientCheckpointing of [false, true]) {
      manualSeed(2);
      const model = new GPT({ ...config, gradientCheckpointing });
      const { x, y } = batch(config, 8, 64);
      const before = memory().bytesInUse;
      const loss = tidy(() => model.forward(x, { targets: y }).loss!);
      peaks.push(peakBytesDuring(() => loss.backward()));
      baselines.push(before);
      loss.dispose();
      model.dispose();
      x.dispose();
      y.dispose();
    }
    const ratio = peaks[1] / peaks[0];
    const activations = (peaks[1] - baselines[1]) / (peaks[0] - baselines[0]);
    console.log(`peak bytesInUse in backward: ${peaks[0]} plain, ${peaks[1]} checkpointed (${(100 * ratio).toFixed(1)} %); above the weights: ${(100 * activations).toFixed(1)} %`);
    expect(ratio).toBeLessThanOrEqual(0.6);
  });
});

describe('GPT under autocast (mixed precision on cpu: a correctness check, float16 is emulated)', () => {
  it('trains with autocast and a GradScaler: the loss falls and stays finite; the weights stay float32', async () => {
    manualSeed(3);
    const config: GPTOptions = { vocabSize: 12, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32 };
    const model = new GPT(config);
    const optimizer = new AdamW(model.parameterGroups(0.01), { lr: 3e-3 });
    const scaler = new GradScaler({ initScale: 2 ** 12 });
    // A learnable sequence: the next token is the current one plus one.
    const starts = Array.from({ length: 8 }, (_, row) => (row * 5) % config.vocabSize);
    const x = tensor(starts.map((s) => Array.from({ length: 16 }, (_, t) => (s + t) % config.vocabSize)), { dtype: 'int32' });
    const y = tensor(starts.map((s) => Array.from({ length: 16 }, (_, t) => (s + t + 1) % config.vocabSize)), { dtype: 'int32' });
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      optimizer.zeroGrad();
      const loss = tidy(() => autocast(() => model.forward(x, { targets: y }).loss!));
      expect(loss.dtype).toBe('float32');
      losses.push(await loss.item());
      tidy(() => scaler.scale(loss).backward());
      loss.dispose();
      await scaler.step(optimizer);
      scaler.update();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.5);
    expect(model.parameters().every((p) => p.dtype === 'float32')).toBe(true);
    model.dispose();
  });
});

describe('GPT split across two backends (model parallelism)', () => {
  it('the second half of the blocks on another backend: the same loss and gradients within float tolerance', async () => {
    registerBackend(createCpuPlugin({ name: 'cpu-stage-1' }));
    const config: GPTOptions = { vocabSize: 20, blockSize: 16, nLayer: 4, nHead: 2, nEmbd: 16 };
    manualSeed(4);
    const single = new GPT(config);
    const split = new GPT(config);
    split.loadStateDict(single.stateDict());
    const { x, y } = batch(config, 4, 16);
    const reference = tidy(() => single.forward(x, { targets: y }).loss!);
    reference.backward();

    // Stage 0 (cpu): embeddings, blocks 0–1, and the tied head; stage 1 (cpu-stage-1): blocks 2–3 and ln_f.
    const stage1 = [...split.blocks.slice(2), split.transformer.ln_f];
    for (const module of stage1) await module.to('cpu-stage-1');
    const { wte, wpe, drop, ln_f } = split.transformer;
    const stage0Out = tidy(() => {
      let h = drop.forward(wte.forward(x).add(wpe.forward(arange(0, x.shape[1], 1))));
      for (const block of split.blocks.slice(0, 2)) h = block.forward(h);
      return h;
    });
    const onStage1 = await stage0Out.to('cpu-stage-1');
    const stage1Out = tidy(() => ln_f.forward(split.blocks.slice(2).reduce((h, block) => block.forward(h), onStage1)));
    const back = await stage1Out.to('cpu');
    const loss = tidy(() => {
      const logits = split.lm_head.forward(back);
      const vocab = config.vocabSize;
      return logits.reshape([-1, vocab]).logSoftmax(-1).gather(1, y.reshape([-1, 1])).neg().mean();
    });
    expect(Math.abs((await loss.item()) - (await reference.item()))).toBeLessThan(1e-6);
    loss.backward(); // gradients cross back from cpu to cpu-stage-1 and back again
    for (const [name, param] of split.namedParameters()) {
      const expected = single.namedParameters().find(([key]) => key === name)![1];
      const [got, want] = [await param.grad!.data(), await expected.grad!.data()];
      const worst = Math.max(...Array.from(want, (w, i) => Math.abs(got[i] - w)));
      expect(worst, name).toBeLessThan(1e-5);
    }
    expect(split.blocks[3].parameters()[0].device).toBe('cpu-stage-1');

  });
});
