import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, randn, manualSeed, fusedMatmul, DTypeError, ShapeError, ValueError,
  FUSED_ACTIVATIONS, type FusedActivation, type Tensor,
} from '../src/index';
import { referencePlugin, gradcheck } from '../src/testing';
import { expectAllClose, values } from './helpers';
import { registerPlainBackend } from './plain-backend';

registerBackend(referencePlugin);
await setBackend('reference');
await registerPlainBackend();
manualSeed(77);

/** activation(a · b + bias) from plain ops, the definition the fused op must reproduce. */
function composite(a: Tensor, b: Tensor, bias: Tensor | null, activation: FusedActivation): Tensor {
  const product = bias ? a.matmul(b).add(bias) : a.matmul(b);
  if (activation === 'relu') return product.relu();
  if (activation === 'sigmoid') return product.sigmoid();
  if (activation === 'tanh') return product.tanh();
  return product;
}

describe('fusedMatmul', () => {
  it('reproduces a worked example: relu([1 2; 3 4]·[1 −1; 1 1] + [−4, 0.5])', async () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[1, -1], [1, 1]]);
    const bias = tensor([-4, 0.5]);
    // a·b = [[3, 1], [7, 1]]; + bias = [[−1, 1.5], [3, 1.5]]; relu → [[0, 1.5], [3, 1.5]]
    expect(await values(fusedMatmul(a, b, { bias, activation: 'relu' }))).toEqual([0, 1.5, 3, 1.5]);
    expectAllClose(await values(fusedMatmul(a, b, { bias, activation: 'sigmoid' })), [-1, 1.5, 3, 1.5].map((x) => 1 / (1 + Math.exp(-x))));
    expectAllClose(await values(fusedMatmul(a, b, { activation: 'tanh' })), [3, 1, 7, 1].map(Math.tanh));
    expect(await values(fusedMatmul(a, b))).toEqual([3, 1, 7, 1]);
  });

  for (const device of ['reference', 'plain']) {
    for (const activation of FUSED_ACTIVATIONS) {
      it(`matches matmul → add → ${activation} with broadcast batches on ${device === 'plain' ? 'the composite path' : 'the fused kernel'}`, async () => {
        const a = randn([2, 1, 3, 5], { dtype: 'float64', device });
        const b = randn([3, 5, 4], { dtype: 'float64', device });
        const bias = randn([4], { dtype: 'float64', device });
        for (const withBias of [true, false]) {
          const got = fusedMatmul(a, b, { bias: withBias ? bias : null, activation });
          expect(got.shape).toEqual([2, 3, 3, 4]);
          expectAllClose(await values(got), await values(composite(a, b, withBias ? bias : null, activation)), 1e-12);
        }
        // Transposed (strided) operands go through the same views as matmul.
        const at = randn([5, 3], { dtype: 'float64', device });
        const bt = randn([4, 5], { dtype: 'float64', device });
        const got = fusedMatmul(at.transpose(0, 1), bt.transpose(0, 1), { bias, activation });
        expectAllClose(await values(got), await values(composite(at.transpose(0, 1), bt.transpose(0, 1), bias, activation)), 1e-12);
      });

      it(`gradients of a, b and bias with ${activation} pass gradcheck on ${device}`, async () => {
        // Pre-activations well away from 0 so relu's kink does not meet the finite differences.
        const a = tensor([[0.9, -0.4, 0.3], [0.2, 0.8, -0.7]], { dtype: 'float64', device, requiresGrad: true });
        const b = tensor([[1.1, -0.6], [0.4, 0.9], [-0.5, 0.7]], { dtype: 'float64', device, requiresGrad: true });
        const bias = tensor([0.35, -0.25], { dtype: 'float64', device, requiresGrad: true });
        await expect(gradcheck((x, y, z) => fusedMatmul(x, y, { bias: z, activation }), [a, b, bias])).resolves.toBe(true);
        await expect(gradcheck((x, y) => fusedMatmul(x, y, { activation }), [a, b])).resolves.toBe(true);
      });
    }
  }

  it('gives the same gradients as the composite, with batch broadcasting summed back', async () => {
    const a = randn([2, 3, 4], { requiresGrad: true });
    const b = randn([4, 5], { requiresGrad: true });
    const bias = randn([5], { requiresGrad: true });
    const weights = randn([2, 3, 5]);
    fusedMatmul(a, b, { bias, activation: 'tanh' }).mul(weights).sum().backward();
    const [a2, b2, bias2] = [a, b, bias].map((t) => t.detach().requiresGrad_());
    composite(a2, b2, bias2, 'tanh').mul(weights).sum().backward();
    expect(b.grad!.shape).toEqual([4, 5]);
    expect(bias.grad!.shape).toEqual([5]);
    expectAllClose(await values(a.grad!), await values(a2.grad!), 1e-5);
    expectAllClose(await values(b.grad!), await values(b2.grad!), 1e-5);
    expectAllClose(await values(bias.grad!), await values(bias2.grad!), 1e-5);
  });

  it('promotes dtypes like matmul and keeps float32 for float32 operands', () => {
    const a = randn([2, 3]);
    const b = randn([3, 2], { dtype: 'float64' });
    expect(fusedMatmul(a, b, { bias: randn([2]) }).dtype).toBe('float64');
    expect(fusedMatmul(a, randn([3, 2]), { activation: 'relu' }).dtype).toBe('float32');
  });

  it('rejects bad input with errors that name the op and the shapes', () => {
    const a = randn([2, 3]);
    const b = randn([3, 4]);
    expect(() => fusedMatmul(a, b, { bias: randn([3]) })).toThrow(ShapeError);
    expect(() => fusedMatmul(a, b, { bias: randn([3]) })).toThrow(/fusedMatmul: bias must have shape \[4\].*\[3\]/);
    expect(() => fusedMatmul(a, b, { bias: randn([1, 4]) })).toThrow(/bias must have shape \[4\]/);
    expect(() => fusedMatmul(randn([3]), b)).toThrow(/fusedMatmul: both operands need at least 2 dims/);
    expect(() => fusedMatmul(a, randn([4, 4]))).toThrow(/not aligned/);
    expect(() => fusedMatmul(a, b, { activation: 'gelu' as FusedActivation })).toThrow(ValueError);
    expect(() => fusedMatmul(tensor([[1, 2]], { dtype: 'int32' }), b)).toThrow(DTypeError);
  });
});
