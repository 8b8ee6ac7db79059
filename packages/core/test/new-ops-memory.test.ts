import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, randn, manualSeed, memory, sort, topk, multinomial, bernoulli, norm, repeat, nonzero, maskedSelect, unique,
  isclose, clampMin, outer, diag, addmm, index, indexAsync, allclose, tidy, type Tensor,
} from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');
manualSeed(1);

/** Every tensor the op returned, whatever the container. */
function outputs(result: unknown): Tensor[] {
  if (result && typeof result === 'object' && 'dispose' in result) return [result as Tensor];
  if (result && typeof result === 'object') return Object.values(result).flatMap(outputs);
  return [];
}

describe('the new ops free their intermediates', () => {
  const x = randn([4, 6], { requiresGrad: true });
  const cases: Record<string, () => unknown> = {
    sort: () => sort(x, 1, { descending: true }),
    topk: () => topk(x, 3),
    multinomial: () => multinomial(x.abs(), 2),
    bernoulli: () => bernoulli(x.sigmoid()),
    norm: () => norm(x, 3, 1),
    repeat: () => repeat(x, [2, 1]),
    nonzero: () => nonzero(x.gt(0)),
    maskedSelect: () => maskedSelect(x, x.gt(0)),
    unique: () => unique(x.round(), { returnCounts: true, returnInverse: true }),
    isclose: () => isclose(x, x.add(1e-9)),
    clampMin: () => clampMin(x, x.mean(0)),
    outer: () => outer(x.select(0, 0), x.select(1, 0)),
    diag: () => diag(diag(x)),
    addmm: () => addmm(x.select(1, 0).narrow(0, 0, 4), x, x.transpose(0, 1).narrow(1, 0, 4), { beta: 2 }),
    index: () => index(x, [[0, 2], '::2']),
  };
  for (const [name, run] of Object.entries(cases)) {
    it(`${name}: only its outputs stay alive, and backward leaves nothing behind`, () => {
      const before = memory().tensors;
      tidy(() => {
        const made = outputs(run());
        expect(made.length).toBeGreaterThan(0);
        for (const t of made.filter((output) => output.requiresGrad)) t.sum().backward();
      });
      x.grad?.dispose();
      x.grad = null;
      expect(memory().tensors - before).toBe(0);
    });
  }

  it('the async forms too', async () => {
    const before = memory().tensors;
    const mask = tidy(() => x.select(1, 0).gt(0));
    const picked = await indexAsync(x, [mask]);
    const same = await allclose(x, x);
    for (const t of [mask, picked]) t.dispose();
    expect(same).toBe(true);
    expect(memory().tensors - before).toBe(0);
  });
});
