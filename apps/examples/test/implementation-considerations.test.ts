/**
 * The course's implementation considerations as examples, in quick mode: knowledge distillation of a
 * char GPT, data and model parallelism of a char GPT on two CPU backend instances, activation
 * checkpointing and mixed precision on a char GPT, and pruning of the Fashion-MNIST MLP. (Full runs: `pnpm example distill-gpt`, `pnpm example
 * prune-mlp`; their numbers are in the README.)
 */
import '@tessera/backend-cpu';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../src/examples/index';

const quiet = { quick: true, print: () => {} };
const hasFashionMNIST = existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');

async function run<T>(name: string): Promise<T> {
  const module = await EXAMPLES[name].load();
  return (await module.main(quiet)) as T;
}

describe('implementation considerations (quick mode)', () => {
  it('distill-gpt: a student with half the blocks, trained on hard labels and by distillation, both scored on held-out text', async () => {
    const result = await run<{ teacherParameters: number; studentParameters: number; teacherLoss: number; hard: number[]; distilled: number[] }>('distill-gpt');
    expect(result.studentParameters).toBeLessThan(0.6 * result.teacherParameters);
    expect(result.studentParameters).toBeGreaterThan(0.4 * result.teacherParameters);
    for (const loss of [result.teacherLoss, ...result.hard, ...result.distilled]) {
      expect(Number.isFinite(loss)).toBe(true);
      expect(loss).toBeLessThan(Math.log(90)); // below a uniform guess over the characters: both students learned
    }
    expect(result.hard).toHaveLength(1);
    expect(result.distilled).toHaveLength(1);
  });

  it('parallel-gpt: data parallel is bitwise the accumulated one-device step; model parallel has the same loss', async () => {
    const result = await run<{ sameAsAccumulated: boolean; modelParallelDeviation: number; losses: Record<string, number[]> }>('parallel-gpt');
    expect(result.sameAsAccumulated).toBe(true);
    expect(result.modelParallelDeviation).toBeLessThan(1e-5);
    expect(result.losses['data parallel (2 instances)']).toEqual(result.losses['one backend, 2 half-batches accumulated']);
  });

  it('gpt-memory-precision: checkpointing lowers the backward peak with identical losses; autocast trains', async () => {
    type Run = { secondsPerStep: number; peakBackwardBytes: number; losses: number[] };
    const result = await run<Record<'float32' | 'gradientCheckpointing' | 'autocast + GradScaler', Run>>('gpt-memory-precision');
    expect(result.gradientCheckpointing.losses).toEqual(result.float32.losses);
    expect(result.gradientCheckpointing.peakBackwardBytes).toBeLessThan(0.7 * result.float32.peakBackwardBytes);
    const mixed = result['autocast + GradScaler'].losses;
    mixed.forEach((loss, i) => expect(Math.abs(loss - result.float32.losses[i])).toBeLessThan(0.05));
  });

  it.skipIf(!hasFashionMNIST)('prune-mlp: exact sparsity after fine-tuning and remove, accuracy kept well above chance', async () => {
    const result = await run<{ denseAccuracy: number; results: { sparsity: number; measuredSparsity: number; pruned: number; fineTuned: number }[] }>('prune-mlp');
    expect(result.results.map((r) => r.sparsity)).toEqual([0.5, 0.8, 0.9]);
    for (const r of result.results) {
      expect(r.measuredSparsity).toBeCloseTo(r.sparsity, 5); // pruned weights stayed exactly 0 through fine-tuning
      expect(r.fineTuned).toBeGreaterThan(0.5);
    }
    expect(result.denseAccuracy).toBeGreaterThan(0.6);
  });
});
