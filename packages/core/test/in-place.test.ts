import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, rand, zeros, ones, manualSeed, noGrad, grad, memory, tidy,
  AutogradError, DTypeError, ShapeError, ValueError, type Tensor,
} from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(77);

const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });

describe('in-place ops compute what their out-of-place forms compute', () => {
  const cases: [string, (t: Tensor, o: Tensor) => Tensor, (t: Tensor, o: Tensor) => Tensor][] = [
    ['add_', (t, o) => t.add_(o), (t, o) => t.add(o)],
    ['add_ with alpha', (t, o) => t.add_(o, { alpha: -0.5 }), (t, o) => t.add(o.mul(-0.5))],
    ['sub_', (t, o) => t.sub_(o), (t, o) => t.sub(o)],
    ['sub_ with alpha', (t, o) => t.sub_(o, { alpha: 3 }), (t, o) => t.sub(o.mul(3))],
    ['mul_', (t, o) => t.mul_(o), (t, o) => t.mul(o)],
    ['mul_ scalar', (t) => t.mul_(2.5), (t) => t.mul(2.5)],
    ['div_', (t, o) => t.div_(o), (t, o) => t.div(o)],
    ['pow_', (t) => t.abs().pow_(1.5), (t) => t.abs().pow(1.5)],
    ['clamp_', (t) => t.clamp_(-0.5, 0.5), (t) => t.clamp(-0.5, 0.5)],
    ['clamp_ min only', (t) => t.clamp_(0), (t) => t.clamp(0)],
    ['fill_', (t) => t.fill_(0.25), (t) => t.mul(0).add(0.25)],
    ['zero_', (t) => t.zero_(), (t) => t.mul(0)],
    ['copy_ (broadcast)', (t, o) => t.copy_(o.select(0, 1)), (t, o) => o.select(0, 1).expand(t.shape).mul(1)],
    ['maskedFill_', (t, o) => t.maskedFill_(o.gt(0), -1), (t, o) => t.maskedFill(o.gt(0), -1)],
    ['neg_', (t) => t.neg_(), (t) => t.neg()],
    ['exp_', (t) => t.exp_(), (t) => t.exp()],
    ['relu_', (t) => t.relu_(), (t) => t.relu()],
    ['sigmoid_', (t) => t.sigmoid_(), (t) => t.sigmoid()],
    ['tanh_', (t) => t.tanh_(), (t) => t.tanh()],
  ];
  for (const [name, inPlace, outOfPlace] of cases) {
    it(name, () => {
      const x = randn([2, 3], { dtype: 'float64' });
      const other = rand([2, 3], { dtype: 'float64' }).add(0.5);
      const expected = outOfPlace(x, other).dataSync();
      const target = x.clone();
      const result = inPlace(target, other);
      expect(result === target || name === 'pow_').toBe(true); // pow_ runs on abs()'s output
      expectAllClose(result.dataSync(), expected, 1e-12);
    });
  }

  it('returns this tensor, writes through views and bumps the shared version counter', async () => {
    const base = zeros([2, 3]);
    const row = base.select(0, 1);
    expect(base.version).toBe(0);
    expect(row.add_(tensor([1, 2, 3])).mul_(2)).toBe(row);
    expect(await base.array()).toEqual([[0, 0, 0], [2, 4, 6]]);
    expect(base.version).toBe(2);
    expect(row.version).toBe(2);
    base.assign(1);
    expect(row.version).toBe(3);
  });

  it('reads every operand before writing, when an operand overlaps the tensor', async () => {
    const x = tensor([1, 2, 3]);
    x.add_(x.flip(0));
    expect(await x.array()).toEqual([4, 4, 4]);
    const y = tensor([1, 2, 3]);
    y.copy_(y.flip(0));
    expect(await y.array()).toEqual([3, 2, 1]);
  });

  it('keeps the dtype: float16 stays float16, copy_ converts anything', async () => {
    const half = tensor([1, 2], { dtype: 'float16' });
    half.add_(tensor([0.1, 0.2]));
    expect(half.dtype).toBe('float16');
    expect(await half.array()).toEqual([1.099609375, 2.19921875]);
    const ids = zeros([2], { dtype: 'int32' });
    ids.copy_(tensor([1.7, -2.5]));
    expect(await ids.array()).toEqual([1, -2]);
  });
});

describe('in-place ops refuse what PyTorch refuses', () => {
  it('results that cannot be cast back to the tensor’s dtype (DTypeError)', () => {
    const ints = tensor([1, 2], { dtype: 'int32' });
    expect(() => ints.div_(2)).toThrow(DTypeError);
    expect(() => ints.mul_(1.5)).toThrow(/mul_: result type float32 can't be cast to the int32 of tensor #\d+ of shape \[2\]/);
    expect(() => ints.exp_()).toThrow(DTypeError);
    expect(() => tensor([true]).add_(1)).toThrow(DTypeError);
    expect(ints.version).toBe(0); // nothing was written
    expect(ints.mul_(3).dtype).toBe('int32');
  });

  it('operands that would grow the tensor (ShapeError)', () => {
    const x = zeros([3]);
    expect(() => x.add_(ones([2, 3]))).toThrow(ShapeError);
    expect(() => x.add_(ones([2, 3]))).toThrow(/add_: the result has shape \[2, 3\], which does not fit tensor #\d+ of shape \[3\]/);
    expect(() => x.copy_(ones([4]))).toThrow(ShapeError);
  });

  it('expanded views, where elements share memory (ValueError)', () => {
    expect(() => zeros([1, 3]).expand([2, 3]).add_(1)).toThrow(ValueError);
  });

  it('fill values that do not fit the dtype', () => {
    const ids = zeros([2], { dtype: 'int32' });
    expect(() => ids.fill_(3e9)).toThrow(/fill_: value 3000000000 cannot be converted to int32/);
    expect(() => ids.maskedFill_(tensor([true, false]), NaN)).toThrow(ValueError);
    expect(() => ids.clamp_(0, Infinity)).toThrow(ValueError);
  });

  it('a leaf that requires grad, while autograd records; noGrad allows it', async () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(AutogradError);
    expect(() => w.mul_(2)).toThrow(/mul_: tensor #\d+ of shape \[3\] \(float32\) is a leaf that requires grad/);
    expect(() => w.zero_()).toThrow(AutogradError);
    expect(() => w.select(0, 0).fill_(5)).toThrow(/is a view of a leaf that requires grad/);
    noGrad(() => w.sub_(tensor([1, 1, 1]), { alpha: 0.5 }));
    expect(await w.array()).toEqual([0.5, 1.5, 2.5]);
    expect(w.isLeaf).toBe(true);
  });
});

describe('the version counter (silent trap 7)', () => {
  it('backward fails with an error naming the op, the saved tensor and the versions', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const y = w.mul(x);
    x.add_(1);
    const loss = y.sum();
    expect(() => loss.backward()).toThrow(AutogradError);
    expect(() => y.sum().backward()).toThrow(
      new RegExp(
        'one of the tensors needed for gradient computation has been modified by an inplace operation: ' +
          `mul saved tensor #${x.id} of shape \\[3\\] at version 0, now version 1 \\(last written by add_\\)`,
      ),
    );
  });

  it('assign under noGrad on a leaf between forward and backward is caught', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const loss = w.mul(w).sum();
    noGrad(() => w.assign(tensor([0, 0, 0])));
    expect(() => loss.backward()).toThrow(/mul saved tensor #\d+ of shape \[3\] at version 0, now version 1 \(last written by assign\)/);
  });

  it('a write through a view is caught when the base was saved', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const h = w.mul(1);
    const loss = h.exp().sum(); // exp saves h (and its output)
    noGrad(() => h.narrow(0, 0, 1).zero_());
    expect(() => loss.backward()).toThrow(/exp saved tensor .* at version 0, now version 1 \(last written by fill_\)/);
  });

  it('x.mul_(x) saves x as an operand, so backward refuses it (as PyTorch)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const a = x.mul(1);
    a.mul_(a);
    expect(() => a.sum().backward()).toThrow(AutogradError);
  });

  it('writes that backward does not depend on are fine', async () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const y = w.add(x); // add saves nothing
    x.mul_(10);
    y.sum().backward();
    expect(await w.grad!.array()).toEqual([1, 1, 1]);
  });
});

describe('autograd through in-place ops', () => {
  /** The same computation written with in-place ops on intermediates and out of place. */
  const chainInPlace = (x: Tensor, y: Tensor) => {
    const h = x.mul(1);
    h.mul_(y).add_(y, { alpha: 2 }).sigmoid_().pow_(2).div_(y.abs().add(0.5));
    h.clamp_(-3, 0.9).exp_().sub_(1).tanh_().neg_().add_(0.8).relu_();
    const g = y.mul(1);
    g.maskedFill_(y.gt(0.5), 0.25);
    const k = zeros([3], { dtype: 'float64' });
    k.copy_(h.mul(g));
    return k.mul(tensor([1, 2, 3], { dtype: 'float64' })).add(h);
  };
  const chainOutOfPlace = (x: Tensor, y: Tensor) => {
    const h = x.mul(y).add(y.mul(2)).sigmoid().pow(2).div(y.abs().add(0.5))
      .clamp(-3, 0.9).exp().sub(1).tanh().neg().add(0.8).relu();
    const g = h.mul(y.maskedFill(y.gt(0.5), 0.25));
    return g.mul(tensor([1, 2, 3], { dtype: 'float64' })).add(h);
  };

  it('gradients of an in-place chain equal those of its out-of-place form', () => {
    const x = tensor([0.5, -1, 2], { dtype: 'float64', requiresGrad: true });
    const y = tensor([1.5, 0.25, -0.5], { dtype: 'float64', requiresGrad: true });
    const [gx, gy] = grad(chainInPlace(x, y).sum(), [x, y]);
    const [ex, ey] = grad(chainOutOfPlace(x, y).sum(), [x, y]);
    expectAllClose(gx!.dataSync(), ex!.dataSync(), 1e-12);
    expectAllClose(gy!.dataSync(), ey!.dataSync(), 1e-12);
    expect(Array.from(ex!.dataSync()).some((v) => v !== 0)).toBe(true);
  });

  it('in-place chains pass gradcheck (float64 central differences)', async () => {
    await expect(gradcheck((x, y) => chainInPlace(x, y), [f64([3]), f64([3])])).resolves.toBe(true);
    await expect(gradcheck((x, o) => x.mul(1).add_(o.expand([2, 3]).mul(1).select(0, 0), { alpha: 0.5 }).mul_(o.select(0, 0)), [f64([2, 3]), f64([2, 3])]))
      .resolves.toBe(true);
  });

  it('in-place on a non-leaf rebases its history: gradFn is the in-place op, isLeaf stays false', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const before = h.gradFn;
    h.add_(1);
    expect(h.gradFn).not.toBe(before);
    expect(h.gradFn!.opName).toBe('add');
    expect(h.isLeaf).toBe(false);
  });

  it('a tensor that did not require grad joins the graph through its operand', async () => {
    const w = tensor([2, 3], { requiresGrad: true });
    const acc = zeros([2]);
    acc.add_(w.mul(w));
    expect(acc.requiresGrad).toBe(true);
    acc.sum().backward();
    expect(await w.grad!.array()).toEqual([4, 6]);
  });

  it('copy_, fill_ and zero_ give the old values no gradient; copy_ sends it to the source', async () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const src = tensor([5], { dtype: 'float64', requiresGrad: true });
    const h = x.mul(2);
    h.copy_(src);
    h.mul(tensor([1, 2, 3])).sum().backward();
    expect(x.grad).toBeNull();
    expect(src.grad!.dtype).toBe('float64');
    expect(await src.grad!.array()).toEqual([6]);
    const k = x.mul(2);
    k.zero_();
    k.add(x).sum().backward();
    expect(await x.grad!.array()).toEqual([1, 1, 1]);
  });

  it('retainGrad follows the tensor to its new history; hooks stay with the old one (PyTorch semantics)', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(1).retainGrad();
    const seen: number[][] = [];
    h.registerHook((g) => void seen.push(g.arraySync() as number[]));
    h.mul_(3);
    h.sum().backward();
    expect(await h.grad!.array()).toEqual([1, 1]); // gradient w.r.t. the new h
    expect(seen).toEqual([[3, 3]]); // gradient w.r.t. h before mul_
    expect(await x.grad!.array()).toEqual([3, 3]);
  });

  it("an in-place op on a view reaches its base's gradient (PyTorch's CopySlices)", async () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const base = x.mul(1);
    base.narrow(0, 0, 2).mul_(2);
    expect(await base.array()).toEqual([2, 4, 3]);
    base.sum().backward();
    expect(await x.grad!.array()).toEqual([2, 2, 1]); // PyTorch: [2, 2, 1]
  });

  it('sibling views made before the write, and views of a modified base, see it too', async () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const base = x.mul(1);
    const left = base.narrow(0, 0, 2);
    const right = base.narrow(0, 1, 2);
    left.mul_(3);
    right.sum().backward();
    expect(await x.grad!.array()).toEqual([0, 3, 1]); // PyTorch: [0, 3, 1]

    const y = tensor([1, 2, 3], { requiresGrad: true });
    const whole = y.mul(1);
    const tail = whole.narrow(0, 1, 2);
    whole.mul_(2);
    tail.sum().backward();
    expect(await y.grad!.array()).toEqual([0, 2, 2]); // PyTorch: [0, 2, 2]
  });

  it('rows copied into a plain buffer carry their gradients (buf[i].copy_(row))', async () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    const buffer = zeros([2, 3]);
    buffer.select(0, 0).copy_(a);
    buffer.select(0, 1).copy_(b.mul(2));
    const weights = tensor([[1, 2, 3], [4, 5, 6]]);
    buffer.mul(weights).mul(buffer).sum().backward();
    expect(buffer.requiresGrad).toBe(true);
    expect(await a.grad!.array()).toEqual([2, 8, 18]); // PyTorch: [2, 8, 18]
    expect(await b.grad!.array()).toEqual([128, 200, 288]); // PyTorch: [128, 200, 288]
  });

  it('in-place ops on views pass gradcheck', async () => {
    await expect(gradcheck((x, y) => {
      const h = x.mul(1);
      h.select(0, 1).mul_(y.select(0, 0)).sigmoid_();
      h.narrow(1, 0, 2).add_(y.narrow(1, 1, 2), { alpha: 2 });
      return h.transpose().mul(h.transpose());
    }, [f64([3, 3]), f64([3, 3])])).resolves.toBe(true);
  });

  it('reading a modified base without recording needs no history', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const base = x.mul(1);
    base.narrow(0, 0, 2).mul_(2);
    expect(noGrad(() => base.sum()).itemSync()).toBe(9);
    expect(base.detach().add(x).requiresGrad).toBe(true);
  });

  it('views and their base free everything when disposed after recorded writes', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const before = memory();
    const base = x.mul(1);
    const view = base.narrow(0, 0, 2);
    view.exp_(); // the write's record keeps its node until no user handle of the storage is left
    const loss = base.sum();
    for (const t of [loss, view, base]) t.dispose();
    const after = memory();
    expect([after.tensors, after.storages, after.bytesInUse]).toEqual([before.tensors, before.storages, before.bytesInUse]);
  });

  it('in-place chains, backward and dispose return memory to baseline', () => {
    const x = tensor([0.5, -1, 2], { dtype: 'float64', requiresGrad: true });
    const y = tensor([1.5, 0.25, -0.5], { dtype: 'float64', requiresGrad: true });
    const before = memory();
    const loss = tidy(() => chainInPlace(x, y).sum());
    loss.backward();
    loss.dispose();
    x.grad!.dispose();
    x.grad = null;
    y.grad!.dispose();
    y.grad = null;
    const after = memory();
    expect([after.tensors, after.storages, after.bytesInUse]).toEqual([before.tensors, before.storages, before.bytesInUse]);
  });
});
