import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBackend, setBackend, randn, zeros, memory, configureLeakDetection, noGrad, type Tensor } from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

// A full garbage collection on demand (what `node --expose-gc` gives), enabled from inside the worker.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collect until the FinalizationRegistry callbacks have run (they run in later tasks). */
async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const reports: string[] = [];
beforeAll(() => configureLeakDetection({ enabled: true, report: (message) => reports.push(message) }));
afterAll(() => configureLeakDetection({ report: (message) => console.warn(message) }));

/** 200 steps of a training loop that never disposes anything (the user's code from issue 12). */
function trainWithoutDisposing(w: Tensor, b: Tensor): void {
  for (let step = 0; step < 200; step++) {
    const x = randn([8, 16]);
    const loss = x.matmul(w).add(b).relu().mean();
    loss.backward();
    noGrad(() => {
      w.assign(w.sub(w.grad!.mul(0.01)));
      b.assign(b.sub(b.grad!.mul(0.01)));
    });
    w.grad = null;
    b.grad = null;
  }
}

describe('tensors the garbage collector reclaimed', () => {
  it('leave the live count and free their storage', async () => {
    const w = randn([16, 4], { requiresGrad: true });
    const b = zeros([4], { requiresGrad: true });
    await collect();
    const before = memory();
    trainWithoutDisposing(w, b);
    const peak = memory();
    expect(peak.tensors - before.tensors).toBeGreaterThan(1000);
    await collect();
    const after = memory();
    // Before the fix: ~8,000 "alive" here, every one of them already collected and reported as a leak.
    expect(after.tensors - before.tensors).toBeLessThan(20);
    expect(after.storages - before.storages).toBeLessThan(20);
    expect(after.bytesInUse - before.bytesInUse).toBeLessThan(20 * 16 * 4 * 8);
    expect(after.leaked - before.leaked).toBeGreaterThan(1000);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports[0]).toMatch(/garbage-collected without dispose\(\)/);
    w.dispose();
    b.dispose();
  });

  it('a collected leaf frees its .grad and the graph saved behind a collected loss', async () => {
    await collect();
    const before = memory();
    (() => {
      const w = randn([32, 32], { requiresGrad: true });
      w.exp().mul(w).sum().backward(undefined, { retainGraph: true }); // keeps saved tensors alive on the graph
      w.mul(2).sum(); // a graph nobody ran backward through: freed only by collection
      expect(w.grad).not.toBeNull();
    })();
    await collect();
    const after = memory();
    expect(after.tensors).toBe(before.tensors);
    expect(after.storages).toBe(before.storages);
    expect(after.bytesInUse).toBe(before.bytesInUse);
  });

  it('a tensor still referenced is never collected', async () => {
    const kept = randn([4]);
    await collect();
    expect(kept.isDisposed).toBe(false);
    expect(await kept.data()).toHaveLength(4);
    kept.dispose();
  });
});
