import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ValueError } from '@tessera/core';
import { elasticNetPenalty, l1Penalty, l2Penalty } from '../src/index';
import { expectClose, f64 } from './helpers';

describe('weight penalties', () => {
  const params = () => [f64([[1, -2], [0, 3]], true), f64([-0.5], true)];

  it('l1Penalty is Σ|w| with gradient sign(w)', async () => {
    const [a, b] = params();
    const penalty = l1Penalty([a, b]);
    await expectClose(penalty, [6.5]);
    penalty.backward();
    await expectClose(a.grad!, [[1, -1], [0, 1]]);
    await expectClose(b.grad!, [-1]);
  });

  it('l2Penalty is Σw² (no ½) with gradient 2w — λ·l2Penalty matches weightDecay 2λ', async () => {
    const [a, b] = params();
    const penalty = l2Penalty([a, b]);
    await expectClose(penalty, [14.25]);
    penalty.backward();
    await expectClose(a.grad!, [[2, -4], [0, 6]]);
    await expectClose(b.grad!, [-1]);
  });

  it('elasticNetPenalty is α·Σ|w| + (1 − α)·Σw², the course’s elastic net', async () => {
    await expectClose(elasticNetPenalty(params(), 0.3), [0.3 * 6.5 + 0.7 * 14.25]);
    await expectClose(l1Penalty(params()).mul(0.3).add(l2Penalty(params()).mul(0.7)), [0.3 * 6.5 + 0.7 * 14.25]);
    expect(() => elasticNetPenalty(params(), 2)).toThrow(ValueError);
  });

  it('an empty parameter list is a ValueError', () => {
    expect(() => l2Penalty([])).toThrow(/l2Penalty: expected at least one parameter tensor/);
  });
});
