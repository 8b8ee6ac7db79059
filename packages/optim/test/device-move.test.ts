/**
 * Optimizers move with their model: `optimizer.to(device)` carries momentum buffers, moment estimates
 * and step counts to another backend, so training continues there as if it had never moved.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { isTensor, moveInPlace, randn, manualSeed, registerBackend, tensor, type Tensor } from '@tessera/core';
import { referencePlugin } from '@tessera/core/testing';
import { Adam, SGD, type Optimizer } from '../src/index';

registerBackend(referencePlugin);

/** A linear regression problem: parameters on cpu, its data on both backends. */
async function problem() {
  manualSeed(7);
  const weight = randn([3, 4], { requiresGrad: true });
  const bias = randn([3], { requiresGrad: true });
  const x = randn([8, 4]);
  const y = randn([8, 3]);
  const data: Record<string, [Tensor, Tensor]> = { cpu: [x, y], reference: [await x.to('reference'), await y.to('reference')] };
  const step = (optimizer: Optimizer) => {
    const [input, target] = data[weight.device];
    optimizer.zeroGrad();
    input.matmul(weight.transpose(0, 1)).add(bias).sub(target).pow(2).mean().backward();
    optimizer.step();
  };
  return { params: [weight, bias], step };
}

const optimizers: [string, (params: Tensor[]) => Optimizer][] = [
  ['SGD with momentum and Nesterov', (params) => new SGD(params, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['Adam', (params) => new Adam(params, { lr: 0.05 })],
  ['Adam with amsgrad', (params) => new Adam(params, { lr: 0.05, amsgrad: true })],
];

describe('optimizer.to(device) carries the optimizer state to another backend', () => {
  for (const [name, make] of optimizers) {
    it(`${name}: 10 steps on cpu, then model and optimizer to 'reference', 10 more = 20 steps on cpu`, async () => {
      const stay = await problem();
      const stayOptimizer = make(stay.params);
      for (let t = 0; t < 20; t++) stay.step(stayOptimizer);

      const move = await problem();
      const optimizer = make(move.params);
      for (let t = 0; t < 10; t++) move.step(optimizer);
      const stateBefore = optimizer.stateDict().state;
      for (const p of move.params) await moveInPlace(p, 'reference'); // what model.to('reference') does
      expect(await optimizer.to('reference')).toBe(optimizer);
      const stateAfter = optimizer.stateDict().state;
      for (const [id, entry] of Object.entries(stateAfter)) {
        for (const [key, value] of Object.entries(entry)) {
          expect(value).toBe(stateBefore[Number(id)][key]); // same state objects, moved
          if (isTensor(value)) expect(value.device).toBe('reference');
        }
      }
      for (let t = 0; t < 10; t++) move.step(optimizer);

      for (let i = 0; i < move.params.length; i++) {
        expect(move.params[i].device).toBe('reference');
        const moved = Array.from(await move.params[i].data());
        const stayed = Array.from(await stay.params[i].data());
        moved.forEach((value, j) => expect(value).toBeCloseTo(stayed[j], 5));
      }
    });
  }

  it('the state tensors are the ones the next steps update (no stale copies left on cpu)', async () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9 });
    w.pow(2).sum().backward();
    optimizer.step();
    await moveInPlace(w, 'reference');
    await optimizer.to('reference');
    optimizer.zeroGrad();
    w.pow(2).sum().backward();
    optimizer.step();
    const buffer = optimizer.stateDict().state[0].momentumBuffer as Tensor;
    expect(buffer.device).toBe('reference');
    // b₁ = g₁ = 2w₀; w₁ = w₀ − 0.1·b₁ = 0.8w₀; b₂ = 0.9·b₁ + 2w₁ = 3.4w₀; w₂ = w₁ − 0.1·b₂ = 0.46w₀
    Array.from(await buffer.data()).forEach((value, i) => expect(value).toBeCloseTo(3.4 * (i + 1), 5));
    Array.from(await w.data()).forEach((value, i) => expect(value).toBeCloseTo(0.46 * (i + 1), 5));
  });
});
