/**
 * Gradient clipping, as PyTorch's clip_grad_norm_ and clip_grad_value_.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { Tensor, ValueError, memory, tensor } from '@tessera/core';
import { clipGradNorm, clipGradValue } from '../src/index';
import { expectClose } from './helpers';

function withGrad(values: number[], grad: number[] | null): Tensor {
  const param = tensor(values, { requiresGrad: true });
  if (grad) param.grad = tensor(grad);
  return param;
}

describe('clipGradNorm', () => {
  it('returns the total 2-norm of all gradients together and rescales them to maxNorm', async () => {
    const a = withGrad([0, 0], [3, 4]);
    const b = withGrad([0], [12]);
    const norm = clipGradNorm([a, b], 6.5);
    expect(norm).toBeInstanceOf(Tensor);
    expect(norm.shape).toEqual([]);
    expectClose([await norm.item()], [13], 1e-7);
    const scale = 6.5 / (13 + 1e-6);
    expectClose(await a.grad!.data(), [3 * scale, 4 * scale], 1e-7);
    expectClose(await b.grad!.data(), [12 * scale], 1e-7);
    for (const t of [a, b, norm]) t.dispose();
  });

  it('leaves gradients whose norm is within maxNorm unchanged', async () => {
    const a = withGrad([0, 0], [3, 4]);
    const norm = clipGradNorm(a, 10);
    expect(await a.grad!.array()).toEqual([3, 4]);
    expectClose([await norm.item()], [5], 1e-7);
    a.dispose();
    norm.dispose();
  });

  it('normType Infinity uses the largest absolute element; other p use (Σ|g|ᵖ)^(1/p)', async () => {
    const a = withGrad([0, 0], [3, -4]);
    const b = withGrad([0], [1]);
    const infinity = clipGradNorm([a, b], 100, Infinity);
    expectClose([await infinity.item()], [4], 1e-7);
    const one = clipGradNorm([a, b], 4, 1);
    expectClose([await one.item()], [8], 1e-7);
    expectClose(await a.grad!.data(), [1.5, -2], 1e-6);
    const three = clipGradNorm([a, b], 100, 3);
    expectClose([await three.item()], [Math.cbrt(1.5 ** 3 + 2 ** 3 + 0.5 ** 3)], 1e-6);
    for (const t of [a, b, infinity, one, three]) t.dispose();
  });

  it('ignores parameters without a gradient and returns 0 when none has one', async () => {
    const a = withGrad([0, 0], [3, 4]);
    const b = withGrad([1], null);
    const norm = clipGradNorm([a, b], 1);
    expectClose([await norm.item()], [5], 1e-7);
    expect(b.grad).toBeNull();
    const none = clipGradNorm([b], 1);
    expect(await none.item()).toBe(0);
    for (const t of [a, b, norm, none]) t.dispose();
  });

  it('leaves only the returned norm behind', () => {
    const a = withGrad([0, 0], [3, 4]);
    const before = memory().tensors;
    const norm = clipGradNorm([a], 1);
    expect(memory().tensors).toBe(before + 1);
    norm.dispose();
    a.dispose();
  });

  it('bad input', () => {
    const a = withGrad([0], [1]);
    expect(() => clipGradNorm([a], -1)).toThrow(new ValueError('clipGradNorm: invalid maxNorm -1; expected a number ≥ 0'));
    expect(() => clipGradNorm([a], 1, 0)).toThrow(/clipGradNorm: invalid normType 0; expected a number > 0/);
    expect(() => clipGradNorm([a, 2 as unknown as Tensor], 1)).toThrow(/clipGradNorm: parameter 1 is 2, not a Tensor/);
    expect(() => clipGradNorm(5 as unknown as Tensor, 1)).toThrow(/expected a tensor or a list of tensors, got 5/);
    a.dispose();
  });
});

describe('clipGradValue', () => {
  it('clamps every gradient element into [−clipValue, clipValue]', async () => {
    const a = withGrad([0, 0, 0], [-3, 0.2, 4]);
    const b = withGrad([0], null);
    const before = memory().tensors;
    clipGradValue([a, b], 0.5);
    expect(memory().tensors).toBe(before);
    expectClose(await a.grad!.data(), [-0.5, 0.2, 0.5], 1e-7);
    expect(b.grad).toBeNull();
    a.dispose();
    b.dispose();
  });

  it('rejects a negative clipValue', () => {
    expect(() => clipGradValue([], -1)).toThrow(/clipGradValue: invalid clipValue -1; expected a number ≥ 0/);
  });
});
