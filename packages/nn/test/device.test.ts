import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { BackendError, randn, randint, registerBackend } from '@tessera/core';
import { referencePlugin } from '@tessera/core/testing';
import { BatchNorm1d, Conv2d, Embedding, Linear, Sequential } from '../src/index';

registerBackend(referencePlugin);

describe('Module.to moves in place, as PyTorch does', () => {
  it('parameters, their gradients and buffers keep their identity and move to the other backend', async () => {
    const model = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
    const params = model.parameters();
    const buffers = model.buffers();
    model.forward(randn([4, 2])).sum().backward();
    const grads = params.map((p) => p.grad);
    const values = await Promise.all(params.map((p) => p.array()));
    await model.to('reference');
    expect(model.parameters()).toEqual(params);
    params.forEach((p, i) => expect(model.parameters()[i]).toBe(p));
    expect(params.every((p) => p.device === 'reference' && p.requiresGrad && p.isLeaf)).toBe(true);
    expect(buffers.every((b, i) => model.buffers()[i] === b && b.device === 'reference')).toBe(true);
    expect(params.every((p, i) => p.grad === grads[i] && p.grad!.device === 'reference')).toBe(true);
    expect(await Promise.all(params.map((p) => p.array()))).toEqual(values);
    expect(model.forward(randn([4, 2], { device: 'reference' })).device).toBe('reference');
    await model.to('cpu');
    expect(params.every((p) => p.device === 'cpu')).toBe(true);
  });


  it('a gradient that carries its graph (createGraph) is replaced by a copy on the new backend', async () => {
    const layer = new Linear(2, 1);
    layer.forward(randn([3, 2])).pow(2).sum().backward(undefined, { createGraph: true });
    const values = await layer.weight.grad!.array();
    expect(layer.weight.grad!.gradFn).not.toBeNull();
    await layer.to('reference');
    expect(layer.weight.grad!.device).toBe('reference');
    expect(layer.weight.grad!.gradFn).toBeNull();
    expect(await layer.weight.grad!.array()).toEqual(values);
    await layer.to('cpu');
  });
});

describe('layers name themselves when input and parameters are on different backends', () => {
  it('Linear.forward says where each one is and how to fix it (not fusedMatmul)', () => {
    const layer = new Linear(2, 3);
    const input = randn([1, 2], { device: 'reference' });
    expect(() => layer.forward(input)).toThrow(BackendError);
    expect(() => layer.forward(input)).toThrow(
      "Linear.forward: input is on 'reference' but the layer's parameters are on 'cpu'; move one with .to()",
    );
  });

  it('Conv2d and Embedding do the same', () => {
    expect(() => new Conv2d(1, 1, 1).forward(randn([1, 1, 2, 2], { device: 'reference' }))).toThrow(/^Conv2d\.forward: input is on 'reference'/);
    expect(() => new Embedding(4, 2).forward(randint(0, 4, [3], { device: 'reference' }))).toThrow(/^Embedding\.forward: input is on 'reference'/);
  });
});
