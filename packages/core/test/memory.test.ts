import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, zeros, manualSeed, tidy, keep, scope, Scope, memory, noGrad, layerNorm, conv2d, maxPool2d,
  DisposedError, ValueError, resetPeakMemory, type Tensor,
} from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(9);

/** The counters that must return to baseline. */
function snapshot() {
  const { tensors, storages, bytesInUse } = memory();
  return { tensors, storages, bytesInUse };
}

describe('tidy', () => {
  it('frees everything made inside except the result', () => {
    const before = snapshot();
    const result = tidy(() => {
      const a = randn([16, 16]);
      const b = a.matmul(a).relu().add(1);
      return b.sum(1).softmax();
    });
    expect(memory().tensors).toBe(before.tensors + 1);
    expect(memory().bytesInUse).toBe(before.bytesInUse + 16 * 4);
    result.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('returns arrays and objects of tensors, and non-tensor values', () => {
    const before = snapshot();
    const { mean, parts } = tidy(() => {
      const x = randn([4]);
      return { mean: x.mean(), parts: [x.mul(2), x.add(1)] };
    });
    expect(memory().tensors).toBe(before.tensors + 3);
    for (const t of [mean, ...parts]) t.dispose();
    expect(tidy(() => 42)).toBe(42);
    expect(snapshot()).toEqual(before);
  });

  it('nested tidy hands the inner result to the outer scope', () => {
    const before = snapshot();
    const outer = tidy(() => {
      const inner = tidy(() => randn([3]).mul(2));
      expect(memory().tensors).toBe(before.tensors + 1);
      return inner.add(1);
    });
    expect(memory().tensors).toBe(before.tensors + 1);
    outer.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('keep() lets a tensor outlive the tidy without returning it', async () => {
    const before = snapshot();
    let saved: Tensor | null = null;
    tidy(() => {
      saved = keep(tensor([1, 2]).mul(2));
    });
    expect(await saved!.array()).toEqual([2, 4]);
    expect(memory().tensors).toBe(before.tensors + 1);
    saved!.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('an exception inside tidy still frees the tensors', () => {
    const before = snapshot();
    expect(() => tidy(() => {
      randn([10]).exp();
      throw new Error('boom');
    })).toThrow('boom');
    expect(snapshot()).toEqual(before);
  });

  it('tidy rejects async functions', () => {
    expect(() => tidy((async () => tensor(1)) as never)).toThrow(ValueError);
  });
});

describe('explicit scopes', () => {
  it('a Scope works across await', async () => {
    const before = snapshot();
    const s = scope();
    const y = s.run(() => randn([8]).mul(2).exp());
    const data = await y.data();
    expect(data.length).toBe(8);
    const z = s.run(() => y.sum());
    expect(await z.item()).toBeGreaterThan(0);
    expect(s.size).toBeGreaterThan(0);
    s.dispose();
    expect(y.isDisposed).toBe(true);
    expect(snapshot()).toEqual(before);
    expect(() => s.run(() => 1)).toThrow(ValueError);
  });

  it('`using` disposes a scope and a tensor at block end', () => {
    const before = snapshot();
    {
      using s = new Scope();
      s.run(() => randn([4]).add(1));
      using t = zeros([3]);
      expect(t.isDisposed).toBe(false);
    }
    expect(snapshot()).toEqual(before);
  });

  it('Scope.keep moves a tensor out', () => {
    const s = scope();
    const kept = s.run(() => s.keep(randn([2])));
    s.dispose();
    expect(kept.isDisposed).toBe(false);
    kept.dispose();
  });
});

describe('dispose', () => {
  it('disposing twice is safe', () => {
    const before = snapshot();
    const t = randn([3]);
    t.dispose();
    t.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('using a disposed tensor throws a DisposedError naming the op', async () => {
    const t = tensor([1, 2]);
    t.dispose();
    expect(() => t.add(1)).toThrow(DisposedError);
    expect(() => t.add(1)).toThrow(/add/);
    expect(() => t.exp()).toThrow(/exp/);
    expect(() => t.sum()).toThrow(/sum/);
    expect(() => t.reshape([2, 1])).toThrow(/reshape/);
    expect(() => t.matmul(t)).toThrow(/matmul/);
    await expect(t.data()).rejects.toThrow(DisposedError);
    expect(() => tensor([1]).add(t)).toThrow(DisposedError);
    expect(String(t)).toContain('disposed');
  });

  it('a tensor disposed by its tidy cannot be used afterwards', () => {
    let inner: Tensor | null = null;
    tidy(() => {
      inner = randn([2]);
      return null;
    });
    expect(() => inner!.mul(2)).toThrow(DisposedError);
  });
});

describe('autograd memory', () => {
  it('disposing the loss frees the graph’s saved tensors', () => {
    const w = randn([8, 8], { requiresGrad: true });
    const x = randn([4, 8]);
    const before = snapshot();
    const product = x.matmul(w);
    const h = product.tanh();
    const squared = h.mul(h);
    const loss = squared.mean();
    // Only the loss stays: the intermediates' handles go, their graph lives on through the loss.
    for (const t of [product, h, squared]) t.dispose();
    expect(memory().tensors).toBeGreaterThan(before.tensors + 1);
    loss.dispose();
    expect(snapshot()).toEqual(before);
    w.dispose();
    x.dispose();
  });

  it('forward + backward + disposing everything returns to baseline', () => {
    const before = snapshot();
    const w = randn([6, 5], { requiresGrad: true });
    const b = zeros([5], { requiresGrad: true });
    const gamma = randn([5], { requiresGrad: true });
    const loss = tidy(() => {
      const x = randn([3, 6]);
      const h = layerNorm(x.matmul(w).add(b), [5], gamma).relu();
      return h.logSoftmax(-1).select(1, 0).neg().mean();
    });
    loss.backward();
    expect(w.grad).not.toBeNull();
    loss.dispose();
    for (const p of [w, b, gamma]) p.dispose();
    expect(snapshot()).toEqual(before);
  });

  it('backward without retainGraph frees saved tensors early', () => {
    const w = randn([32, 32], { requiresGrad: true });
    const loss = tidy(() => w.exp().mul(w).sum());
    const afterForward = memory().bytesInUse;
    loss.backward();
    const grad = w.grad!;
    // The saved exp output (32·32 floats) is gone; the new gradient takes the same room.
    expect(memory().bytesInUse).toBeLessThanOrEqual(afterForward);
    expect(grad.shape).toEqual([32, 32]);
    loss.dispose();
    w.dispose();
  });

  it('1,000 training-like steps leave memory flat', () => {
    const w = randn([8, 4], { requiresGrad: true });
    const b = zeros([4], { requiresGrad: true });
    const kernel = randn([2, 1, 3, 3], { requiresGrad: true });
    const step = () => {
      const loss = tidy(() => {
        const x = randn([4, 8]);
        const image = randn([1, 1, 6, 6]);
        const features = maxPool2d(conv2d(image, kernel, null, { padding: 1 }), 2).sum();
        const logits = x.matmul(w).add(b);
        return logits.logSoftmax(1).select(1, 1).neg().mean().add(features.mul(0.01));
      });
      loss.backward();
      loss.dispose();
      noGrad(() => {
        for (const p of [w, b, kernel]) {
          tidy(() => p.assign(p.sub(p.grad!.mul(0.01))));
          p.grad!.dispose();
          p.grad = null;
        }
      });
    };
    for (let i = 0; i < 10; i++) step();
    const before = snapshot();
    for (let i = 0; i < 1000; i++) step();
    expect(snapshot()).toEqual(before);
    for (const p of [w, b, kernel]) p.dispose();
  });

  it('gradients accumulated in .grad are freed with their tensor', () => {
    const before = snapshot();
    const w = randn([4], { requiresGrad: true });
    const loss = tidy(() => w.mul(w).sum());
    loss.backward();
    loss.dispose();
    w.dispose();
    expect(snapshot()).toEqual(before);
  });
});

describe('peak memory', () => {
  it('peakBytesInUse keeps the largest bytesInUse since resetPeakMemory, temporaries included', () => {
    resetPeakMemory();
    const start = memory().bytesInUse;
    expect(memory().peakBytesInUse).toBe(start);
    const kept = tidy(() => {
      const big = zeros([1000]); // 4,000 bytes, freed when the tidy ends
      return keep(big.sum());
    });
    expect(memory().bytesInUse).toBe(start + 4);
    expect(memory().peakBytesInUse).toBeGreaterThanOrEqual(start + 4000 + 4);
    kept.dispose();
    resetPeakMemory();
    expect(memory().peakBytesInUse).toBe(start);
  });
});
