/**
 * gpt-memory-precision: what activation checkpointing and mixed precision cost and save on a char GPT's
 * training step. Three runs from the same weights on the same batches — plain float32, with
 * `gradientCheckpointing` (core's `checkpoint` around each block), and under `autocast` with a
 * `GradScaler` — each reporting seconds per step, the peak `memory().bytesInUse` during backward, and
 * the loss. Checkpointing gives the same losses bit for bit; autocast's differ slightly (float16
 * products). On the CPU backend float16 is emulated through float32, so autocast is slower here: it is
 * a correctness check on CPU and pays only where float16 is native.
 */
import { autocast, manualSeed, memory, resetPeakMemory, tidy, type Tensor } from '@tessera/core';
import { RandomWindowSampler } from '@tessera/data';
import { AdamW, GradScaler } from '@tessera/optim';
import { GPT, type GPTOptions } from '@tessera/models-transformer';
import { printer, round, table, type ExampleOptions } from '../common';
import { loadText } from '../gpt/text';
import { charTokenizer } from '../gpt/tokenizer';

export interface GptMemoryPrecisionOptions extends ExampleOptions {
  /** Steps per run (default 12; quick: 3). */
  steps?: number;
}

/** `fn`'s peak `memory().bytesInUse` (every allocation counts). */
function peakBytes(fn: () => void): number {
  resetPeakMemory();
  fn();
  return memory().peakBytesInUse;
}

export async function main(options: GptMemoryPrecisionOptions = {}) {
  const print = printer(options);
  const quick = options.quick ?? false;
  const steps = options.steps ?? (quick ? 3 : 12);
  const text = loadText(null).slice(0, 300_000);
  const tokenizer = charTokenizer(text);
  const tokens = Int32Array.from(tokenizer.encode(text));
  const config: GPTOptions = quick
    ? { vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 4, nHead: 2, nEmbd: 32 }
    : { vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 8, nHead: 4, nEmbd: 128 };
  const batchSize = quick ? 4 : 12;
  manualSeed(0);
  const initial = new GPT(config);
  print(`char GPT ${config.nLayer} blocks × ${config.nEmbd} (${initial.numParameters()} parameters), batch ${batchSize} × ${config.blockSize}, ${steps} AdamW steps per run`);

  const rows: (string | number)[][] = [];
  const results: Record<string, { secondsPerStep: number; peakBackwardBytes: number; losses: number[] }> = {};
  for (const mode of ['float32', 'gradientCheckpointing', 'autocast + GradScaler'] as const) {
    const model = new GPT({ ...config, gradientCheckpointing: mode === 'gradientCheckpointing' });
    model.loadStateDict(initial.stateDict());
    const optimizer = new AdamW(model.parameterGroups(0.1), { lr: 1e-3 });
    const scaler = mode === 'autocast + GradScaler' ? new GradScaler({ initScale: 2 ** 10 }) : null;
    const sampler = new RandomWindowSampler(tokens, { blockSize: config.blockSize, batchSize, seed: 3 });
    const losses: number[] = [];
    let peak = 0;
    let started = performance.now();
    for (let step = 0; step < steps; step++) {
      if (step === 1) started = performance.now(); // the first step warms up: not timed
      const [x, y] = sampler.sample();
      optimizer.zeroGrad();
      const lossOf = () => model.forward(x, { targets: y }).loss!;
      const loss: Tensor = tidy(() => (scaler ? autocast(lossOf) : lossOf()));
      const objective = scaler ? scaler.scale(loss) : loss;
      peak = Math.max(peak, peakBytes(() => objective.backward()));
      if (objective !== loss) objective.dispose();
      if (scaler) {
        await scaler.step(optimizer);
        scaler.update();
      } else {
        optimizer.step();
      }
      losses.push(await loss.item());
      for (const t of [x, y, loss]) t.dispose();
    }
    const secondsPerStep = (performance.now() - started) / 1000 / Math.max(1, steps - 1);
    results[mode] = { secondsPerStep: round(secondsPerStep, 3), peakBackwardBytes: peak, losses: losses.map((v) => round(v, 6)) };
    rows.push([mode, secondsPerStep, (peak / 2 ** 20).toFixed(1), losses[0], losses.at(-1)!]);
    optimizer.dispose();
    model.dispose();
  }
  initial.dispose();
  const base = results.float32;
  print(table(['run', 's / step', 'peak MiB in backward', 'first loss', 'last loss'], rows));
  const checkpointed = results.gradientCheckpointing;
  print(`\ngradientCheckpointing: ${(100 * checkpointed.peakBackwardBytes / base.peakBackwardBytes).toFixed(1)} % of the peak memory, ` +
    `${(checkpointed.secondsPerStep / base.secondsPerStep).toFixed(2)}× the time, losses identical: ${checkpointed.losses.every((v, i) => v === base.losses[i])}`);
  const mixed = results['autocast + GradScaler'];
  print(`autocast on cpu: ${(mixed.secondsPerStep / base.secondsPerStep).toFixed(2)}× the time of float32 (float16 is emulated on this backend), ` +
    `largest loss difference ${Math.max(...mixed.losses.map((v, i) => Math.abs(v - base.losses[i]))).toFixed(4)}`);
  return results;
}
