import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, zeros, randn } from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

describe('toString', () => {
  it('renders a small float tensor like PyTorch', () => {
    expect(tensor([[1, 2], [3, 4.5]]).toString()).toBe('tensor([[1., 2.],\n        [3., 4.5]], dtype=float32, device=reference)');
  });

  it('renders int32, bool and 0-d tensors', () => {
    expect(String(tensor([1, -2], { dtype: 'int32' }))).toBe('tensor([1, -2], dtype=int32, device=reference)');
    expect(String(tensor([true, false]))).toBe('tensor([true, false], dtype=bool, device=reference)');
    expect(String(tensor(2.5))).toBe('tensor(2.5, dtype=float32, device=reference)');
  });

  it('uses exponent notation for tiny and huge values and shows gradient info', () => {
    expect(String(tensor([1e-6, 1e7]))).toContain('1.0000e-6');
    expect(String(tensor([1], { requiresGrad: true }))).toContain('requiresGrad=true');
    expect(String(tensor([1], { requiresGrad: true }).mul(2))).toContain('gradFn=mul');
  });

  it('summarises large, empty and disposed tensors', () => {
    expect(String(zeros([2000]))).toBe('tensor(<2000 elements>, shape=[2000], dtype=float32, device=reference)');
    expect(String(zeros([0]))).toBe('tensor([], dtype=float32, device=reference)');
    const t = randn([2]);
    t.dispose();
    expect(String(t)).toBe('tensor(<disposed>, shape=[2], dtype=float32, device=reference)');
  });

  it('renders views in logical order', () => {
    expect(String(tensor([[1, 2], [3, 4]]).T)).toContain('[[1., 3.]');
  });
});
