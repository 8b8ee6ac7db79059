import { describe, expect, it } from 'vitest';
import {
  AutogradError, autocast, checkpoint, getRngState, grad, layerNorm, manualSeed, memory, noGrad, rand, randn, registerBackend, setBackend,
  softmax, tidy, type Tensor,
} from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

/** A block with a residual, layer norm, attention-like softmax and dropout drawn from the RNG. */
function makeBlock(width: number) {
  const w1 = randn([width, 2 * width], { requiresGrad: true }).mul(0.3).detach().requiresGrad_();
  const w2 = randn([2 * width, width], { requiresGrad: true }).mul(0.3).detach().requiresGrad_();
  const gamma = randn([width]).detach().requiresGrad_();
  let calls = 0;
  const forward = (x: Tensor): Tensor => {
    calls++;
    const normed = layerNorm(x, [width], gamma, null);
    const hidden = normed.matmul(w1).tanh();
    const weights = softmax(hidden, -1);
    const keep = rand(weights.shape).ge(0.2); // dropout mask from the global generator
    const dropped = weights.mul(keep).mul(1 / 0.8);
    return x.add(dropped.matmul(w2));
  };
  return { params: [w1, w2, gamma], forward, calls: () => calls };
}

async function gradients(tensors: Tensor[]): Promise<number[][]> {
  return Promise.all(tensors.map(async (t) => Array.from(await t.grad!.data())));
}

describe('checkpoint (non-reentrant semantics)', () => {
  it('gives bitwise the gradients of the plain run, dropout included, and recomputes each region once', async () => {
    manualSeed(0);
    const blocks = [makeBlock(6), makeBlock(6), makeBlock(6)];
    const input = randn([4, 6], { requiresGrad: true });
    const run = (useCheckpoint: boolean) =>
      tidy(() => {
        manualSeed(42);
        let h = input;
        for (const block of blocks) h = useCheckpoint ? checkpoint(block.forward, h) : block.forward(h);
        return h.pow(2).sum();
      });
    const params = [...blocks.flatMap((b) => b.params), input];

    const plainLoss = run(false);
    plainLoss.backward();
    const plain = await gradients(params);
    const plainRng = getRngState();
    for (const p of params) p.grad = null;

    const callsBefore = blocks.map((b) => b.calls());
    const checkpointedLoss = run(true);
    expect(await checkpointedLoss.item()).toBe(await plainLoss.item());
    expect(blocks.map((b) => b.calls() - callsBefore[i(b)])).toEqual([1, 1, 1]);
    checkpointedLoss.backward();
    expect(blocks.map((b) => b.calls() - callsBefore[i(b)])).toEqual([2, 2, 2]);
    expect(await gradients(params)).toEqual(plain);
    // The recomputation put the random stream back where the plain run left it.
    expect(getRngState()).toEqual(plainRng);
    function i(b: (typeof blocks)[number]) {
      return blocks.indexOf(b);
    }
  });

  it('keeps none of the region\'s intermediates until backward, and frees everything afterwards', () => {
    manualSeed(1);
    const block = makeBlock(32);
    const x = randn([64, 32], { requiresGrad: true });
    const start = memory();
    const plain = tidy(() => block.forward(x).sum());
    const plainHeld = memory().bytesInUse - start.bytesInUse;
    plain.dispose();
    const checkpointed = tidy(() => checkpoint(block.forward, x).sum());
    const checkpointHeld = memory().bytesInUse - start.bytesInUse;
    // Plain: the normalised input, the hidden layer, the weights, the mask… are saved; checkpointed: x's handle only (shared storage).
    expect(checkpointHeld).toBeLessThan(plainHeld / 4);
    checkpointed.backward();
    checkpointed.dispose();
    for (const p of [...block.params, x]) {
      p.grad!.dispose();
      p.grad = null;
    }
    expect(memory().tensors).toBe(start.tensors);
    expect(memory().bytesInUse).toBe(start.bytesInUse);
  });

  it('works with grad(), closures over parameters and retainGraph', async () => {
    manualSeed(2);
    const w = randn([3, 3], { requiresGrad: true });
    const x = randn([2, 3], { requiresGrad: true });
    const f = (h: Tensor) => h.matmul(w).exp().matmul(w).sum(1);
    const [gxPlain, gwPlain] = grad(tidy(() => f(x).sum()), [x, w]);
    const loss = tidy(() => checkpoint(f, x).sum());
    const [gx, gw] = grad(loss, [x, w], { retainGraph: true });
    expect(Array.from(await gx!.data())).toEqual(Array.from(await gxPlain!.data()));
    expect(Array.from(await gw!.data())).toEqual(Array.from(await gwPlain!.data()));
    loss.backward(); // a second pass through the retained graph
    expect(Array.from(await w.grad!.data())).toEqual(Array.from(await gwPlain!.data()));
  });

  it('several outputs, non-tensor arguments, and an autocast forward recomputed under autocast', async () => {
    manualSeed(3);
    const w = randn([4, 4], { requiresGrad: true });
    const x = randn([2, 4], { requiresGrad: true });
    const f = (h: Tensor, scale: number): [Tensor, Tensor] => [h.matmul(w).mul(scale), h.tanh()];
    const [a, b] = autocast(() => checkpoint(f, x, 0.5));
    expect(a.dtype).toBe('float16');
    const loss = tidy(() => a.float().sum().add(b.sum()));
    loss.backward();
    const wGrad = Array.from(await w.grad!.data());
    w.grad = null;
    x.grad = null;
    const [a2, b2] = autocast(() => f(x, 0.5));
    tidy(() => a2.float().sum().add(b2.sum())).backward();
    expect(wGrad).toEqual(Array.from(await w.grad!.data()));
  });

  it('outside grad mode it just runs fn', () => {
    const w = randn([2, 2], { requiresGrad: true });
    let calls = 0;
    const out = noGrad(() => checkpoint((h: Tensor) => (calls++, h.matmul(w)), randn([1, 2])));
    expect(out.requiresGrad).toBe(false);
    expect(calls).toBe(1);
  });

  it('refuses a region whose ops change between forward and recomputation, and createGraph through it', () => {
    const w = randn([2, 2], { requiresGrad: true });
    let calls = 0;
    const unstable = (h: Tensor) => (calls++ === 0 ? h.matmul(w).exp() : h.matmul(w).tanh());
    const loss = tidy(() => checkpoint(unstable, randn([1, 2])).sum());
    expect(() => loss.backward()).toThrow(/recorded 'tanh' where the forward recorded 'exp'/);
    const stable = tidy(() => checkpoint((h: Tensor) => h.matmul(w).exp(), randn([1, 2])).sum());
    expect(() => grad(stable, [w], { createGraph: true })).toThrow(AutogradError);
    expect(() => checkpoint((async () => 1) as never)).toThrow(/synchronous/);
  });
});
