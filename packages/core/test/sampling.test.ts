import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, tensor, full, manualSeed, multinomial, bernoulli, DTypeError, ShapeError, ValueError } from '../src/index';
import { referencePlugin } from '../src/testing';
import { registerPlainBackend } from './plain-backend';
import { registerAsyncOnlyBackend } from './async-only-backend';
import { values } from './helpers';

registerBackend(referencePlugin);
await setBackend('reference');
await registerPlainBackend();
await registerAsyncOnlyBackend();

/** Expect an observed frequency within 5 standard errors of a probability. */
function expectFrequency(count: number, total: number, probability: number, what: string): void {
  const sigma = Math.sqrt((probability * (1 - probability)) / total);
  expect(Math.abs(count / total - probability), `${what}: ${count}/${total} vs ${probability}`).toBeLessThanOrEqual(5 * sigma + 1e-12);
}

function histogram(samples: number[], categories: number): number[] {
  const counts = new Array<number>(categories).fill(0);
  for (const sample of samples) counts[sample]++;
  return counts;
}

describe('multinomial', () => {
  const weights = [1, 0, 6, 3]; // unnormalised: p = [0.1, 0, 0.6, 0.3]

  it('with replacement draws each category with its probability and never a zero-weight one', async () => {
    manualSeed(11);
    const samples = multinomial(tensor(weights), 20000, { replacement: true });
    expect(samples.dtype).toBe('int32');
    expect(samples.shape).toEqual([20000]);
    const counts = histogram(await values(samples), 4);
    expect(counts[1]).toBe(0);
    [0.1, 0, 0.6, 0.3].forEach((p, c) => expectFrequency(counts[c], 20000, p, `category ${c}`));
  });

  it('without replacement follows successive draws that remove the chosen category', async () => {
    manualSeed(12);
    const p = [0.5, 0.3, 0.2];
    const rows = 6000;
    const samples = (await tensor(p).expand([rows, 3]).multinomial(2).array()) as number[][];
    for (const [first, second] of samples) expect(first).not.toBe(second);
    const firsts = histogram(samples.map((row) => row[0]), 3);
    const seconds = histogram(samples.map((row) => row[1]), 3);
    // P(second = j) = Σ_{i≠j} p_i · p_j / (1 − p_i).
    const secondProbability = (j: number) => p.reduce((sum, pi, i) => (i === j ? sum : sum + (pi * p[j]) / (1 - pi)), 0);
    p.forEach((pi, c) => {
      expectFrequency(firsts[c], rows, pi, `first draw ${c}`);
      expectFrequency(seconds[c], rows, secondProbability(c), `second draw ${c}`);
    });
  });

  it('draws every category once when numSamples equals the count (a permutation)', async () => {
    manualSeed(3);
    const permutation = await values(multinomial(tensor([[1, 2, 3, 4, 5]]), 5));
    expect([...permutation].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives the same samples for one seed, on every backend, and different ones for another seed', async () => {
    const draw = async (seed: number, device: string) => {
      manualSeed(seed);
      return values(multinomial(tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], { device }), 6, { replacement: true }));
    };
    const first = await draw(7, 'reference');
    expect(await draw(7, 'reference')).toEqual(first);
    expect(await draw(7, 'plain')).toEqual(first);
    expect(await draw(7, 'async-only')).toEqual(first);
    expect(await draw(8, 'reference')).not.toEqual(first);
  });

  it('rejects bad probabilities and sizes with typed errors', () => {
    expect(() => multinomial(tensor([1, 2], { dtype: 'int32' }), 1)).toThrow(DTypeError);
    expect(() => multinomial(full([2, 2, 2], 0.5), 1)).toThrow(ShapeError);
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(/must be finite and non-negative, got -0.1/);
    expect(() => multinomial(tensor([0.5, NaN]), 1)).toThrow(ValueError);
    expect(() => multinomial(tensor([[0, 0], [1, 1]]), 1)).toThrow(/row 0 of the probabilities sums to 0/);
    expect(() => multinomial(tensor([0.5, 0.5]), 3)).toThrow(/without replacement from 2 categories/);
    expect(() => multinomial(tensor([0.5, 0, 0.5]), 3)).toThrow(/only 2 non-zero categories/);
    expect(() => multinomial(tensor([0.5, 0.5]), 0)).toThrow(ValueError);
    expect(() => multinomial(tensor([0.5, 0.5]), 1.5)).toThrow(ValueError);
  });
});

describe('bernoulli', () => {
  it('draws 1 with probability p, keeping the dtype of p', async () => {
    manualSeed(21);
    const p = tensor([0, 0.25, 0.9, 1], { dtype: 'float64' }).expand([10000, 4]);
    const draws = bernoulli(p);
    expect(draws.dtype).toBe('float64');
    const rows = (await draws.array()) as number[][];
    [0, 0.25, 0.9, 1].forEach((probability, c) => {
      const ones = rows.filter((row) => row[c] === 1).length;
      expect(rows.every((row) => row[c] === 0 || row[c] === 1)).toBe(true);
      expectFrequency(ones, 10000, probability, `p = ${probability}`);
    });
  });

  it('is seeded by manualSeed and refuses integer probabilities', async () => {
    manualSeed(4);
    const first = await values(full([16], 0.5).bernoulli());
    manualSeed(4);
    expect(await values(full([16], 0.5).bernoulli())).toEqual(first);
    expect(() => bernoulli(tensor([1], { dtype: 'int32' }))).toThrow(DTypeError);
  });
});
