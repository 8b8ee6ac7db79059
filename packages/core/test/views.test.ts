import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, arange, zeros, randn, memory, noGrad, ShapeError, tidy } from '../src/index';
import { elementSpan } from '../src/backend-api';
import { referencePlugin } from '../src/testing';
import { values } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');

const grid = () => arange(6).reshape([2, 3]); // [[0, 1, 2], [3, 4, 5]]

describe('reshape and view', () => {
  it('reshape of a contiguous tensor is a view sharing storage', async () => {
    const x = arange(6);
    const y = x.reshape([2, 3]);
    expect(y.storage).toBe(x.storage);
    expect(await y.array()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it('reshape infers one −1 dim', () => {
    expect(arange(12).reshape([3, -1]).shape).toEqual([3, 4]);
    expect(arange(12).reshape([-1]).shape).toEqual([12]);
    expect(arange(12).reshape([2, -1, 2]).shape).toEqual([2, 3, 2]);
    expect(zeros([0, 4]).reshape([-1, 2]).shape).toEqual([0, 2]);
    expect(() => arange(12).reshape([5, -1])).toThrow(ShapeError);
    expect(() => arange(12).reshape([-1, -1])).toThrow(ShapeError);
    expect(() => arange(12).reshape([5, 3])).toThrow(/12/);
  });

  it('reshape of a transposed tensor copies when it must', async () => {
    const t = grid().transpose(0, 1);
    const flat = t.reshape([6]);
    expect(flat.storage).not.toBe(t.storage);
    expect(await flat.array()).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('view of a non-viewable tensor is a ShapeError pointing to reshape', () => {
    expect(() => grid().transpose(0, 1).view([6])).toThrow(ShapeError);
    expect(() => grid().transpose(0, 1).view([6])).toThrow(/reshape/);
  });

  it('view works where strides allow it, also on non-contiguous tensors', async () => {
    const x = arange(24).reshape([2, 3, 4]).permute([1, 0, 2]); // [3, 2, 4]; last dim contiguous
    const v = x.view([3, 2, 2, 2]);
    expect(v.storage).toBe(x.storage);
    expect(await v.reshape([-1]).array()).toEqual(await x.contiguous().reshape([-1]).array());
    expect(grid().view([3, 2]).shape).toEqual([3, 2]);
  });

  it('reshape to and from 0-d', async () => {
    expect(await tensor([7]).reshape([]).item()).toBe(7);
    expect(tensor(7).reshape([1, 1]).shape).toEqual([1, 1]);
  });
});

describe('dim-reordering views', () => {
  it('permute reorders dims without copying', async () => {
    const x = arange(24).reshape([2, 3, 4]);
    const p = x.permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.storage).toBe(x.storage);
    expect(p.isContiguous()).toBe(false);
    const data = await values(x);
    const got = (await p.array()) as number[][][];
    expect(got[3][1][2]).toBe(data[1 * 12 + 2 * 4 + 3]);
    expect(() => x.permute([0, 1])).toThrow(ShapeError);
    expect(() => x.permute([0, 0, 1])).toThrow(ShapeError);
  });

  it('transpose and T', async () => {
    expect(await grid().transpose(0, 1).array()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(await grid().T.array()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(arange(24).reshape([2, 3, 4]).T.shape).toEqual([4, 3, 2]);
    expect(arange(24).reshape([2, 3, 4]).transpose().shape).toEqual([2, 4, 3]);
    expect(tensor([1, 2]).T.shape).toEqual([2]);
  });

  it('squeeze removes size-1 dims (all, one, or a list), unsqueeze inserts one', () => {
    const x = zeros([1, 3, 1, 2]);
    expect(x.squeeze().shape).toEqual([3, 2]);
    expect(x.squeeze(0).shape).toEqual([3, 1, 2]);
    expect(x.squeeze([0, 2]).shape).toEqual([3, 2]);
    expect(x.squeeze(1).shape).toEqual([1, 3, 1, 2]);
    expect(zeros([3]).unsqueeze(0).shape).toEqual([1, 3]);
    expect(zeros([3]).unsqueeze(-1).shape).toEqual([3, 1]);
    expect(zeros([2, 3]).unsqueeze(1).shape).toEqual([2, 1, 3]);
    expect(tensor(1).unsqueeze(0).shape).toEqual([1]);
    expect(() => zeros([3]).unsqueeze(3)).toThrow(ShapeError);
  });

  it('unsqueeze of a view keeps reading the right elements', async () => {
    const t = grid().transpose(0, 1).unsqueeze(1);
    expect(t.shape).toEqual([3, 1, 2]);
    expect(await t.array()).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
  });

  it('flatten merges a dim range', async () => {
    const x = zeros([2, 3, 4, 5]);
    expect(x.flatten().shape).toEqual([120]);
    expect(x.flatten(1).shape).toEqual([2, 60]);
    expect(x.flatten(1, 2).shape).toEqual([2, 12, 5]);
    expect(tensor(3).flatten().shape).toEqual([1]);
    expect(await grid().T.flatten().array()).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('broadcasting and slicing views', () => {
  it('expand broadcasts with stride 0, −1 keeps a dim', async () => {
    const b = tensor([1, 2, 3]);
    const e = b.expand([2, -1]);
    expect(e.shape).toEqual([2, 3]);
    expect(e.strides).toEqual([0, 1]);
    expect(await e.array()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(await tensor([[1], [2]]).expand([2, 2]).array()).toEqual([[1, 1], [2, 2]]);
    expect(() => b.expand([2, 4])).toThrow(ShapeError);
    expect(() => b.expand([3, 2, 3]).shape).not.toThrow();
  });

  it('narrow takes length elements from start (negative start counts from the end)', async () => {
    expect(await arange(5).narrow(0, 1, 3).array()).toEqual([1, 2, 3]);
    expect(await arange(5).narrow(0, -2, 2).array()).toEqual([3, 4]);
    expect(await grid().narrow(1, 1, 2).array()).toEqual([[1, 2], [4, 5]]);
    expect(() => arange(5).narrow(0, 3, 3)).toThrow(ShapeError);
  });

  it('slice supports steps, negative positions and clamped ends', async () => {
    expect(await arange(10).slice(0, 1, 8, 3).array()).toEqual([1, 4, 7]);
    expect(await arange(10).slice(0, -3).array()).toEqual([7, 8, 9]);
    expect(await arange(10).slice(0, 0, -1, 2).array()).toEqual([0, 2, 4, 6, 8]);
    expect(await arange(10).slice(0, 5, 100).array()).toEqual([5, 6, 7, 8, 9]);
    expect(arange(10).slice(0, 5, 2).shape).toEqual([0]);
    expect(await grid().slice(1, undefined, undefined, 2).array()).toEqual([[0, 2], [3, 5]]);
    expect(() => arange(10).slice(0, 0, 5, 0)).toThrow(ShapeError);
  });

  it('select removes the indexed dim', async () => {
    expect(await grid().select(0, 1).array()).toEqual([3, 4, 5]);
    expect(await grid().select(1, -1).array()).toEqual([2, 5]);
    expect(() => grid().select(0, 2)).toThrow(ShapeError);
  });

  it('flip reverses with negative strides, and composes with other views', async () => {
    const f = grid().flip(1);
    expect(f.strides[1]).toBeLessThan(0);
    expect(await f.array()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(await grid().flip([0, 1]).array()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(await grid().flip(1).slice(1, 0, 3, 2).array()).toEqual([[2, 0], [5, 3]]);
    expect(await grid().flip(0).T.array()).toEqual([[3, 0], [4, 1], [5, 2]]);
    expect(await grid().flip(1).add(0).array()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(await grid().flip(1).reshape([6]).array()).toEqual([2, 1, 0, 5, 4, 3]);
  });

  it('contiguous materialises a view, and returns a same-storage handle when already contiguous', async () => {
    const t = grid().T;
    const c = t.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.storage).not.toBe(t.storage);
    expect(await c.array()).toEqual([[0, 3], [1, 4], [2, 5]]);
    const x = grid();
    const same = x.contiguous();
    expect(same.storage).toBe(x.storage);
    expect(same).not.toBe(x);
  });
});

describe('views share storage', () => {
  it('assigning into a view changes the base', async () => {
    const base = zeros([2, 3]);
    noGrad(() => base.select(0, 1).assign(tensor([1, 2, 3])));
    expect(await base.array()).toEqual([[0, 0, 0], [1, 2, 3]]);
    base.T.narrow(0, 0, 1).assign(9);
    expect(await base.array()).toEqual([[9, 0, 0], [9, 2, 3]]);
    base.flip(1).slice(1, 0, 1).assign(tensor([[7], [8]]));
    expect(await base.array()).toEqual([[9, 0, 7], [9, 2, 8]]);
  });

  it('assigning into the base shows through every view', async () => {
    const base = zeros([4]);
    const view = base.reshape([2, 2]);
    base.assign(tensor([1, 2, 3, 4]));
    expect(await view.array()).toEqual([[1, 2], [3, 4]]);
  });

  it('an overlapping assign reads the source before writing', async () => {
    const x = arange(4).float();
    x.assign(x.flip(0));
    expect(await x.array()).toEqual([3, 2, 1, 0]);
  });

  it('a view keeps the storage alive after the base is disposed; memory counts it once', async () => {
    const before = memory();
    const base = randn([256]);
    const view = base.reshape([16, 16]).T;
    const during = memory();
    expect(during.storages).toBe(before.storages + 1);
    expect(during.bytesInUse).toBe(before.bytesInUse + 256 * 4);
    expect(during.tensors).toBeGreaterThan(before.tensors);
    const copy = view.contiguous();
    const expected = await copy.data();
    copy.dispose();
    base.dispose();
    expect(await view.data()).toEqual(expected);
    expect(memory().storages).toBe(before.storages + 1);
    view.dispose();
  });
});

describe('elementSpan', () => {
  it('gives the lowest and highest element a layout reaches, negative strides included', () => {
    expect(elementSpan({ shape: [2, 3], strides: [3, 1], offset: 0 })).toEqual([0, 5]);
    expect(elementSpan({ shape: [2, 3], strides: [3, -1], offset: 2 })).toEqual([0, 5]);
    expect(elementSpan({ shape: [4], strides: [0], offset: 7 })).toEqual([7, 7]);
    expect(elementSpan({ shape: [], strides: [], offset: 3 })).toEqual([3, 3]);
    expect(elementSpan({ shape: [2, 0], strides: [1, 1], offset: 3 })).toEqual([0, -1]);
  });

  it('matches the span of a flipped, transposed tensor view', () => {
    // arange's storage holds each element's own index, so the view's values are the elements it reaches.
    const [span, indices] = tidy(() => {
      const view = arange(24).reshape([2, 3, 4]).flip(2).transpose(0, 1).narrow(0, 1, 2);
      return [elementSpan(view), Array.from(view.contiguous().dataSync() as Int32Array)] as const;
    });
    expect(span).toEqual([Math.min(...indices), Math.max(...indices)]);
  });
});
