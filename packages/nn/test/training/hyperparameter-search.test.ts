import '@tessera/backend-cpu';
import { randint, randn, tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { SGD } from '@tessera/optim';
import { describe, expect, it } from 'vitest';
import { F, MLP, fit, hyperparameterSearch } from '../../src/index';

/** Two classes separated along the first coordinate. */
function data(size: number): [Tensor, Tensor][] {
  return tidy(() => {
    const labels = randint(0, 2, [size], { dtype: 'int32' });
    const x = randn([size, 4]).add(labels.float().mul(3).unsqueeze(1).mul(tensor([1, 0, 0, 0])));
    return [[x, labels]] as [Tensor, Tensor][];
  });
}

describe('hyperparameterSearch', () => {
  it('a grid over fit runs: every combination in order, the best val_loss, a table sorted best first', async () => {
    const train = data(64);
    const val = data(64);
    const search = await hyperparameterSearch({
      space: { lr: [1e-4, 0.3], hidden: [4, 16] },
      run: async ({ lr, hidden }) => {
        const model = new MLP({ sizes: [4, hidden, 2] });
        const history = await fit(model, { train, val, loss: (y, t) => F.crossEntropy(y, t), optimizer: new SGD(model.parameters(), { lr }), epochs: 15 });
        model.dispose();
        return history;
      },
      seed: 5,
    });
    expect(search.results.map((r) => r.config)).toEqual([
      { lr: 1e-4, hidden: 4 }, { lr: 1e-4, hidden: 16 }, { lr: 0.3, hidden: 4 }, { lr: 0.3, hidden: 16 },
    ]);
    const values = search.results.map((r) => r.value);
    expect(search.best.value).toBe(Math.min(...values));
    expect(search.best.config.lr).toBe(0.3); // a learning rate of 1e-4 barely moves in 15 epochs
    expect(search.best.value).toBe(search.best.outcome.last!.val_loss);
    const lines = search.table().split('\n');
    expect(lines[0]).toMatch(/trial\s+lr\s+hidden\s+val_loss\s+seconds/);
    expect(lines[1].trim().startsWith('*')).toBe(true);
    expect(lines).toHaveLength(5);
  });

  it('random search: reproducible configurations within their ranges; every trial starts from the same random state', async () => {
    const space = { lr: { logUniform: [1e-4, 1e-1] as const }, layers: { int: [1, 3] as const }, act: ['relu', 'tanh'], dropout: { uniform: [0, 0.5] as const } };
    const draws: number[] = [];
    const run = async () => {
      const first = randn([1]);
      draws.push(await first.item());
      first.dispose();
      return { val_loss: Math.random() };
    };
    const a = await hyperparameterSearch({ space, trials: 12, run, seed: 3 });
    const b = await hyperparameterSearch({ space, trials: 12, run: () => 0, seed: 3 });
    expect(a.results.map((r) => r.config)).toEqual(b.results.map((r) => r.config));
    for (const { config } of a.results) {
      expect(config.lr).toBeGreaterThanOrEqual(1e-4);
      expect(config.lr).toBeLessThanOrEqual(1e-1);
      expect([1, 2, 3]).toContain(config.layers);
      expect(['relu', 'tanh']).toContain(config.act);
      expect(config.dropout).toBeGreaterThanOrEqual(0);
      expect(config.dropout).toBeLessThan(0.5);
    }
    expect(new Set(a.results.map((r) => r.config.layers)).size).toBe(3);
    expect(new Set(draws).size).toBe(1);
  });

  it('mode max, numbers as outcomes, NaN never best, and clear errors', async () => {
    const search = await hyperparameterSearch({ space: { x: [1, 2, 3, 4] }, run: ({ x }) => (x === 4 ? Number.NaN : x * 10), mode: 'max', metric: 'accuracy' });
    expect(search.best.config).toEqual({ x: 3 });
    await expect(hyperparameterSearch({ space: { lr: { uniform: [0, 1] } }, run: () => 0 })).rejects.toThrow(/needs trials/);
    await expect(hyperparameterSearch({ space: { lr: { uniform: [0, 1] } }, strategy: 'grid', run: () => 0 })).rejects.toThrow(/cannot enumerate/);
    await expect(hyperparameterSearch({ space: { lr: [1] }, run: () => ({ loss: 1 }) })).rejects.toThrow(ValueError);
  });
});
