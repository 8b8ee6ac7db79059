import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, getBackend, tensor, zeros, randn, cat, stack, where, gather, conv2d, layerNorm, maxPool2d,
  ShapeError, DTypeError, BackendError, DisposedError, type Tensor,
} from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
registerBackend({ ...referencePlugin, name: 'reference2' });
await setBackend('reference2');
await setBackend('reference');

const a23 = () => zeros([2, 3]);
const a43 = () => zeros([4, 3]);

describe('shape mismatches name the op and both shapes', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['add', () => a23().add(a43()), /add.*\[2, 3\].*\[4, 3\]/],
    ['mul', () => a23().mul(zeros([2])), /mul.*\[2, 3\].*\[2\]/],
    ['maximum', () => a23().maximum(a43()), /maximum.*\[2, 3\].*\[4, 3\]/],
    ['compare', () => a23().lt(a43()), /lt.*\[2, 3\].*\[4, 3\]/],
    ['where', () => where(zeros([4, 3]).gt(0), a23(), 0), /where.*\[4, 3\].*\[2, 3\]/],
    ['matmul', () => a23().matmul(a43()), /matmul.*\[2, 3\].*\[4, 3\]/],
    ['cat', () => cat([a23(), zeros([2, 4])], 0), /cat.*\[2, 3\].*\[2, 4\]/],
    ['stack', () => stack([a23(), a43()]), /stack.*\[2, 3\].*\[4, 3\]/],
    ['reshape', () => a23().reshape([4, 2]), /reshape.*\[4, 2\].*\[2, 3\]/],
    ['expand', () => a23().expand([4, 4]), /expand.*\[2, 3\].*\[4, 4\]/],
    ['gather', () => gather(a23(), 1, zeros([3], { dtype: 'int32' })), /gather.*\[3\].*\[2, 3\]/],
    ['scatterAdd', () => a23().scatterAdd(0, zeros([3], { dtype: 'int32' }), zeros([3])), /scatterAdd.*\[3\].*\[2, 3\]/],
    ['conv2d', () => conv2d(zeros([1, 3, 5, 5]), zeros([2, 2, 3, 3])), /conv2d.*\[1, 3, 5, 5\].*\[2, 2, 3, 3\]/],
    ['layerNorm', () => layerNorm(a23(), [4]), /layerNorm.*\[4\].*\[2, 3\]/],
    ['maskedFill', () => zeros([3]).maskedFill(zeros([2, 3]).gt(0), 1), /maskedFill.*\[2, 3\].*\[3\]/],
    ['assign', () => a23().assign(a43()), /assign.*\[2, 3\].*\[4, 3\]/],
    ['pool', () => maxPool2d(zeros([3, 3]), 2), /maxPool2d.*\[3, 3\]/],
  ];
  for (const [name, run, message] of cases) {
    it(`${name}`, () => {
      expect(run).toThrow(ShapeError);
      expect(run).toThrow(message);
    });
  }
});

describe('dtype misuse', () => {
  it('matmul of int32 is a DTypeError naming the dtypes', () => {
    const i = zeros([2, 2], { dtype: 'int32' });
    expect(() => i.matmul(i)).toThrow(DTypeError);
    expect(() => i.matmul(i)).toThrow(/matmul.*int32/);
  });

  it('mean of int32 and var of bool are DTypeErrors', () => {
    expect(() => zeros([2], { dtype: 'int32' }).mean()).toThrow(/mean.*int32/);
    expect(() => zeros([2], { dtype: 'bool' }).var()).toThrow(DTypeError);
  });

  it('where with a non-bool condition is a DTypeError that suggests a comparison', () => {
    expect(() => where(tensor([1, 0]) as Tensor, 1, 0)).toThrow(DTypeError);
    expect(() => where(tensor([1, 0]), 1, 0)).toThrow(/where.*float32.*gt/);
  });

  it('indices must be int32', () => {
    expect(() => a23().gather(1, zeros([2, 3]))).toThrow(/gather.*int32.*float32/);
    expect(() => a23().indexSelect(0, zeros([1]))).toThrow(DTypeError);
  });

  it('conv2d with mixed dtypes', () => {
    expect(() => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2], { dtype: 'float64' }))).toThrow(DTypeError);
  });
});

describe('invalid dims name the dim and the rank', () => {
  const cases: [string, () => unknown][] = [
    ['sum', () => a23().sum(2)],
    ['mean', () => a23().mean(-3)],
    ['softmax', () => a23().softmax(5)],
    ['transpose', () => a23().transpose(0, 2)],
    ['cumsum', () => a23().cumsum(2)],
    ['select', () => a23().select(2, 0)],
    ['max', () => a23().max(2)],
    ['argmax', () => a23().argmax(-3)],
    ['gather', () => a23().gather(2, zeros([2, 3], { dtype: 'int32' }))],
    ['cat', () => cat([a23(), a23()], 2)],
  ];
  for (const [op, run] of cases) {
    it(op, () => {
      expect(run).toThrow(ShapeError);
      expect(run).toThrow(new RegExp(`${op}: dim -?\\d+ is out of range for a tensor of rank 2`));
    });
  }
  it('unsqueeze accepts one more position than the rank', () => {
    expect(() => a23().unsqueeze(4)).toThrow(/unsqueeze: dim 4 is out of range/);
    expect(a23().unsqueeze(2).shape).toEqual([2, 3, 1]);
  });

  it('non-integer dims are rejected too', () => {
    expect(() => a23().sum(0.5)).toThrow(ShapeError);
  });
});

describe('backends', () => {
  it('mixing backends in one op is a BackendError naming both', () => {
    const here = tensor([1, 2], { device: 'reference' });
    const there = tensor([1, 2], { device: 'reference2' });
    expect(there.device).toBe('reference2');
    expect(() => here.add(there)).toThrow(BackendError);
    expect(() => here.add(there)).toThrow(/add.*'reference'.*'reference2'/);
    expect(() => cat([here, there])).toThrow(BackendError);
    expect(() => here.matmul(there)).toThrow(BackendError);
  });

  it('to() moves a tensor between backends, and gradients flow back', async () => {
    const here = tensor([1, 2], { requiresGrad: true });
    const moved = await here.to('reference2');
    expect(moved.device).toBe('reference2');
    expect(await moved.array()).toEqual([1, 2]);
    moved.mul(3).sum().backward();
    expect(here.grad!.device).toBe('reference');
    expect(await here.grad!.array()).toEqual([3, 3]);
  });

  it('setBackend of an unknown name lists the registered backends', async () => {
    await expect(setBackend('nope')).rejects.toThrow(BackendError);
    await expect(setBackend('nope')).rejects.toThrow(/'nope'.*reference.*reference2/);
    expect(getBackend()).toBe('reference');
    expect(() => tensor([1], { device: 'nope' })).toThrow(BackendError);
  });
});

describe('disposed tensors', () => {
  it('reading or using a disposed tensor is a DisposedError', async () => {
    const t = randn([2]);
    t.dispose();
    await expect(t.data()).rejects.toThrow(DisposedError);
    await expect(t.array()).rejects.toThrow(DisposedError);
    await expect(t.item()).rejects.toThrow(DisposedError);
    expect(() => t.dataSync()).toThrow(DisposedError);
    expect(() => t.neg()).toThrow(/neg: tensor #\d+ of shape \[2\]/);
  });
});
