import '@tessera/backend-cpu';
import { createCpuPlugin } from '@tessera/backend-cpu';
import { manualSeed, memory, randint, randn, registerBackend, split, tidy, type Tensor } from '@tessera/core';
import { SGD } from '@tessera/optim';
import { describe, expect, it } from 'vitest';
import { DataParallel, F, MLP, allReduceGradients } from '../src/index';

registerBackend(createCpuPlugin({ name: 'cpu-replica' }));
registerBackend(createCpuPlugin({ name: 'cpu-replica-2' }));

const lossOf = (model: MLP, input: Tensor, target: Tensor) => F.crossEntropy(model.forward(input), target);

async function values(model: MLP): Promise<number[]> {
  const all: number[] = [];
  for (const p of model.parameters()) all.push(...(await p.data()));
  return all;
}

function makeModel(): MLP {
  return new MLP({ sizes: [6, 24, 4], dropout: 0.1 });
}

describe('DataParallel on CPU backend instances', () => {
  it('is bitwise the single-device step over the same slices, and within float tolerance of the whole-batch step', async () => {
    manualSeed(0);
    const parallel = await DataParallel.create(makeModel, ['cpu', 'cpu-replica', 'cpu-replica-2']);
    expect(parallel.replicas[1].parameters()[0].device).toBe('cpu-replica');
    const single = makeModel();
    single.loadStateDict(parallel.module.stateDict());
    expect(await values(parallel.replicas[1])).toEqual(await values(single));
    const optimizers = parallel.replicas.map((replica) => new SGD(replica.parameters(), { lr: 0.1, momentum: 0.9 }));
    const singleOptimizer = new SGD(single.parameters(), { lr: 0.1, momentum: 0.9 });
    for (let step = 0; step < 3; step++) {
      const x = randn([16, 6]);
      const y = randint(0, 4, [16], { dtype: 'int32' });
      manualSeed(100 + step); // the dropout masks: drawn slice by slice, in the same order on both sides
      const loss = await parallel.forwardBackward(x, y, lossOf);
      for (const optimizer of optimizers) optimizer.step();

      manualSeed(100 + step);
      singleOptimizer.zeroGrad();
      // 16 rows over three replicas: 6, 5, 5, each loss weighted by its share of the rows.
      const sizes = [6, 5, 5];
      const slices = [split(x, sizes, 0), split(y, sizes, 0)];
      let singleLoss = 0;
      for (let i = 0; i < 3; i++) {
        const value = tidy(() => {
          const l = lossOf(single, slices[0][i], slices[1][i]);
          l.mul(sizes[i] / 16).backward(); // gradient accumulation over the slices, in replica order
          return l.detach();
        });
        singleLoss += (await value.item()) * (sizes[i] / 16);
      }
      singleOptimizer.step();
      expect(loss).toBe(singleLoss);
    }
    const [first, second, third] = await Promise.all(parallel.replicas.map(values));
    expect(second).toEqual(first); // the replicas stay identical
    expect(third).toEqual(first);
    expect(first).toEqual(await values(single)); // bitwise the single-device step

    // Without dropout, slices versus one whole batch differ only by the order of float sums.
    manualSeed(1);
    const plain = await DataParallel.create(() => new MLP({ sizes: [6, 24, 4] }), ['cpu', 'cpu-replica']);
    const whole = new MLP({ sizes: [6, 24, 4] });
    whole.loadStateDict(plain.module.stateDict());
    const x = randn([16, 6]);
    const y = randint(0, 4, [16], { dtype: 'int32' });
    await plain.forwardBackward(x, y, lossOf);
    tidy(() => lossOf(whole, x, y).backward());
    const [dp, full] = [plain.module.parameters(), whole.parameters()];
    for (let j = 0; j < dp.length; j++) {
      const [a, b] = [await dp[j].grad!.data(), await full[j].grad!.data()];
      const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]) / Math.max(1e-3, Math.abs(b[i]))));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  it('allReduceGradients sums (or averages) in a fixed order; a missing gradient counts as zero; no leaks', async () => {
    manualSeed(2);
    const a = new MLP({ sizes: [3, 2] });
    const b = new MLP({ sizes: [3, 2] });
    await b.to('cpu-replica');
    const x = randn([4, 3]);
    tidy(() => a.forward(x).sum().backward());
    const before = Array.from(await a.parameters()[0].grad!.data());
    const tensors = memory().tensors;
    await allReduceGradients([a, b], { op: 'mean' });
    expect(Array.from(await a.parameters()[0].grad!.data())).toEqual(before.map((g) => Math.fround(g / 2)));
    expect(Array.from(await b.parameters()[0].grad!.data())).toEqual(Array.from(await a.parameters()[0].grad!.data()));
    expect(b.parameters()[0].grad!.device).toBe('cpu-replica');
    expect(memory().tensors).toBe(tensors + 2); // b's two new gradients
    await expect(allReduceGradients([a, new MLP({ sizes: [3, 4, 2] })])).rejects.toThrow(/share one architecture/);
  });
});
