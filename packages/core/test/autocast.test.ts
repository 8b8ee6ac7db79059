import { describe, expect, it } from 'vitest';
import {
  addmm, autocast, autocastActive, autocastAsync, autocastGuard, autocastOp, baddbmm, conv2d, einsum, fusedMatmul, getAutocastDType,
  isAutocastEnabled, layerNorm, logSoftmax, manualSeed, memory, noGrad, randn, registerBackend, scaledDotProductAttention, setBackend,
  softmax, tensor, tidy, ValueError, type Tensor,
} from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('autocast: the dtypes of the listed ops (PyTorch CUDA autocast lists)', () => {
  it('matmul, fusedMatmul (linear), addmm, baddbmm, einsum, conv2d and attention compute in float16', () => {
    manualSeed(1);
    const x = randn([2, 3]);
    const w = randn([3, 4]);
    const bias = randn([4]);
    autocast(() => {
      expect(x.matmul(w).dtype).toBe('float16');
      expect(fusedMatmul(x, w, { bias, activation: 'relu' }).dtype).toBe('float16');
      expect(addmm(bias, x, w).dtype).toBe('float16');
      expect(baddbmm(randn([2, 2, 4]), randn([2, 2, 3]), randn([2, 3, 4])).dtype).toBe('float16');
      expect(einsum('ij,jk->ik', x, w).dtype).toBe('float16');
      expect(conv2d(randn([1, 2, 5, 5]), randn([3, 2, 3, 3]), randn([3])).dtype).toBe('float16');
      const [q, k, v] = [randn([1, 2, 4, 8]), randn([1, 2, 4, 8]), randn([1, 2, 4, 8])];
      // The composite's inner softmax is not moved to float32: the op runs as one, in float16.
      expect(scaledDotProductAttention(q, k, v, { isCausal: true }).dtype).toBe('float16');
      expect(scaledDotProductAttention(q, k, v, { attnMask: randn([4, 4]) }).dtype).toBe('float16');
    });
    expect(x.matmul(w).dtype).toBe('float32');
  });

  it('softmax, logSoftmax, sums, exp/log/pow, logsumexp, norm and layerNorm compute in float32', () => {
    const h = randn([2, 6]).half();
    autocast(() => {
      expect(h.dtype).toBe('float16');
      expect(softmax(h, -1).dtype).toBe('float32');
      expect(logSoftmax(h, -1).dtype).toBe('float32');
      expect(h.sum().dtype).toBe('float32');
      expect(h.sum(1).dtype).toBe('float32');
      expect(h.prod(1).dtype).toBe('float32');
      expect(h.cumsum(1).dtype).toBe('float32');
      expect(h.logsumexp(1).dtype).toBe('float32');
      expect(h.exp().dtype).toBe('float32');
      expect(h.abs().log().dtype).toBe('float32');
      expect(h.pow(2).dtype).toBe('float32');
      expect(h.norm().dtype).toBe('float32');
      expect(layerNorm(h, [6], randn([6]), randn([6])).dtype).toBe('float32');
      // Ops on no list keep their input's dtype (mean is one op, as in PyTorch).
      expect(h.mean().dtype).toBe('float16');
      expect(h.var(1).dtype).toBe('float16');
      expect(h.tanh().dtype).toBe('float16');
      expect(h.relu().dtype).toBe('float16');
    });
  });

  it('a linear layer feeding softmax: float16 logits, float32 probabilities, as PyTorch', () => {
    const x = randn([4, 3]);
    const w = randn([3, 5], { requiresGrad: true });
    const probs = autocast(() => softmax(x.matmul(w), -1));
    expect(probs.dtype).toBe('float32');
  });

  it('leaves float64 and integer tensors alone', () => {
    const a = randn([2, 2], { dtype: 'float64' });
    const i = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    autocast(() => {
      expect(a.matmul(a).dtype).toBe('float64');
      expect(i.sum().dtype).toBe('int32');
    });
  });

  it('gradients flow back through the casts: float32 parameters get float32 gradients equal to the explicit-cast computation', async () => {
    manualSeed(3);
    const x = randn([5, 3]);
    const w = randn([3, 4], { requiresGrad: true });
    const b = randn([4], { requiresGrad: true });
    const loss = autocast(() => logSoftmax(fusedMatmul(x, w, { bias: b }), -1).sum());
    expect(loss.dtype).toBe('float32');
    loss.backward();
    expect(w.grad!.dtype).toBe('float32');
    expect(b.grad!.dtype).toBe('float32');
    const [gw, gb] = [await w.grad!.data(), await b.grad!.data()];
    // The same computation with the casts written out.
    const w2 = w.detach().requiresGrad_();
    const b2 = b.detach().requiresGrad_();
    logSoftmax(fusedMatmul(x.half(), w2.half(), { bias: b2.half() }).float(), -1).sum().backward();
    expect(Array.from(gw)).toEqual(Array.from(await w2.grad!.data()));
    expect(Array.from(gb)).toEqual(Array.from(await b2.grad!.data()));
  });

  it('backward() inside a region runs the rules in the dtypes the forward recorded', async () => {
    const x = randn([3, 3]);
    const w = randn([3, 3], { requiresGrad: true });
    const inside = w.detach().requiresGrad_();
    autocast(() => x.matmul(w).exp().sum()).backward();
    autocast(() => {
      const loss = x.matmul(inside).exp().sum();
      loss.backward();
    });
    expect(Array.from(await inside.grad!.data())).toEqual(Array.from(await w.grad!.data()));
  });

  it('{ enabled: false } forces float32 inside a region; guards nest and work with using', () => {
    const x = randn([2, 2]);
    autocast(() => {
      expect(autocast(() => x.matmul(x).dtype, { enabled: false })).toBe('float32');
      expect(x.matmul(x).dtype).toBe('float16');
      {
        using _ = autocastGuard({ enabled: false });
        expect(isAutocastEnabled()).toBe(false);
        expect(x.matmul(x).dtype).toBe('float32');
      }
      expect(isAutocastEnabled()).toBe(true);
    });
    expect(isAutocastEnabled()).toBe(false);
    {
      using _ = autocastGuard({ dtype: 'float16' });
      expect(getAutocastDType()).toBe('float16');
      expect(x.matmul(x).dtype).toBe('float16');
    }
    expect(x.matmul(x).dtype).toBe('float32');
  });

  it('autocastAsync and autocastGuard hold across await; autocast refuses async functions', async () => {
    const x = randn([2, 2]);
    const dtype = await autocastAsync(async () => {
      await tick();
      return x.matmul(x).dtype;
    });
    expect(dtype).toBe('float16');
    expect(() => autocast((async () => 1) as never)).toThrow(/async function.*autocastAsync/);
    expect(() => autocast(() => 1, { dtype: 'bfloat16' as never })).toThrow(ValueError);
    expect(isAutocastEnabled()).toBe(false);
  });

  it('autocastOp lets a library op join a list, and its body runs without further casts', () => {
    const calls: string[] = [];
    function myLoss(input: Tensor, target: Tensor): Tensor {
      if (autocastActive()) return autocastOp('myLoss', 'float32', [input, target], myLoss);
      calls.push(`${input.dtype}/${target.dtype}/${autocastActive()}`);
      return input.sub(target).mul(input.sub(target)).mean();
    }
    const a = randn([3]).half();
    const b = randn([3]);
    expect(autocast(() => myLoss(a, b)).dtype).toBe('float32');
    expect(calls).toEqual(['float32/float32/false']);
    // 'promote' casts to the widest floating input.
    expect(autocast(() => autocastOp('both', 'promote', [a, b], (p, q) => [p.dtype, q.dtype]))).toEqual(['float32', 'float32']);
    expect(() => autocastOp('bad', 'fast' as never, [a], (t) => t)).toThrow(/policy/);
  });

  it('frees its casts: no tensors are left behind', () => {
    const x = randn([4, 4]);
    const w = randn([4, 4], { requiresGrad: true });
    const before = memory().tensors;
    tidy(() => noGrad(() => autocast(() => softmax(x.matmul(w), -1)))).dispose();
    const loss = tidy(() => autocast(() => softmax(x.matmul(w), -1).sum()));
    loss.backward();
    loss.dispose();
    w.grad!.dispose();
    w.grad = null;
    expect(memory().tensors).toBe(before);
  });
});
