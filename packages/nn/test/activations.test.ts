import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { randn, tensor, DTypeError, ValueError, type Tensor } from '@tessera/core';
import { gradcheck } from '@tessera/core/testing';
import { ELU, F, GELU, LeakyReLU, LogSoftmax, ReLU, SELU, Sigmoid, Softmax, Softplus, Step, Tanh, activationModule } from '../src/index';
import { reference } from './fixtures/pytorch-reference';
import { expectClose, f64 } from './helpers';

const ref = reference.activations;
const x = () => f64(ref.x);

describe('activations match PyTorch (float64 references)', () => {
  it('sigmoid and tanh', async () => {
    await expectClose(F.sigmoid(x()), ref.sigmoid, 1e-12);
    await expectClose(new Tanh().forward(x()), ref.tanh, 1e-12);
    await expectClose(new Sigmoid().forward(x()), ref.sigmoid, 1e-12);
  });

  it('leakyRelu with the default slope 0.01 and with 0.2', async () => {
    await expectClose(F.leakyRelu(x()), ref.leakyRelu, 1e-12);
    await expectClose(new LeakyReLU(0.2).forward(x()), ref.leakyRelu02, 1e-12);
  });

  it('elu, selu', async () => {
    await expectClose(F.elu(x()), ref.elu, 1e-12);
    await expectClose(new ELU(0.5).forward(x()), ref.elu05, 1e-12);
    await expectClose(new SELU().forward(x()), ref.selu, 1e-12);
  });

  it('gelu exact (erf) and the tanh approximation', async () => {
    await expectClose(new GELU().forward(x()), ref.gelu, 1e-7);
    await expectClose(F.gelu(x(), { approximate: 'tanh' }), ref.geluTanh, 1e-12);
    expect(() => F.gelu(x(), { approximate: 'cubic' as 'tanh' })).toThrow(ValueError);
  });

  it('softplus with beta and threshold', async () => {
    await expectClose(new Softplus().forward(x()), ref.softplus, 1e-12);
    await expectClose(F.softplus(x(), { beta: 2, threshold: 1 }), ref.softplusBeta2Threshold1, 1e-12);
  });

  it('softplus is accurate far out in both directions (no overflow, no cancellation)', async () => {
    await expectClose(F.softplus(f64([-40, -745, 800])), [Math.exp(-40), Math.exp(-745), 800], 0, 1e-12);
    await expectClose(F.softplus(tensor([-30, 100])), [9.357622968839299e-14, 100], 0, 1e-6);
  });

  it('softmax and logSoftmax (default dim −1)', async () => {
    await expectClose(new Softmax(0).forward(x()), ref.softmax, 1e-12);
    await expectClose(new LogSoftmax().forward(x()), ref.logSoftmax, 1e-12);
  });

  it('relu is max(x, 0)', async () => {
    expect(await new ReLU().forward(tensor([-1, 0, 2])).array()).toEqual([0, 0, 2]);
  });
});

describe('Step, the perceptron activation', () => {
  it('is 1 where x ≥ 0 (the line itself counts as positive) and 0 below', async () => {
    expect(await new Step().forward(tensor([-2, -1e-6, 0, 1e-6, 3])).array()).toEqual([0, 0, 1, 1, 1]);
    expect(F.step(f64([1])).dtype).toBe('float64');
  });
});

describe('activation gradients (float64 gradcheck)', () => {
  const input = () => f64([-2.5, -1.2, -0.3, 0.4, 1.1, 2.7]);
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['sigmoid', F.sigmoid],
    ['leakyRelu', (t) => F.leakyRelu(t, 0.1)],
    ['elu', (t) => F.elu(t, 0.7)],
    ['selu', F.selu],
    ['gelu tanh', (t) => F.gelu(t, { approximate: 'tanh' })],
    ['softplus', (t) => F.softplus(t, { beta: 1.5 })],
    ['softmax', (t) => F.softmax(t.reshape([2, 3]), 1)],
    ['logSoftmax', (t) => F.logSoftmax(t.reshape([2, 3]), 0)],
    ['gelu exact', (t) => F.gelu(t)],
  ];
  for (const [name, fn] of cases) {
    it(name, async () => {
      expect(await gradcheck(fn, [input()])).toBe(true);
    });
  }

  it('elu and softplus have finite gradients for huge inputs (no 0·∞)', async () => {
    const big = f64([-1000, 1000], true);
    F.elu(big).sum().backward();
    expect(await big.grad!.array()).toEqual([0, 1]);
    const big2 = f64([-1000, 0, 1000], true);
    F.softplus(big2, { threshold: 1e9 }).sum().backward();
    await expectClose(big2.grad!, [0, 0.5, 1], 1e-12);
  });
});

describe('activationModule', () => {
  it('builds modules by name and rejects unknown names', () => {
    expect(activationModule('gelu')).toBeInstanceOf(GELU);
    expect(() => activationModule('swish' as 'relu')).toThrow(ValueError);
  });

  it('activations of integer tensors are a DTypeError', () => {
    expect(() => F.elu(tensor([1], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(randn([2]).dtype).toBe('float32');
  });
});
