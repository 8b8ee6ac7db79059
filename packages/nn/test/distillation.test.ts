import '@tessera/backend-cpu';
import { autocast, tensor, ValueError } from '@tessera/core';
import { gradcheck } from '@tessera/core/testing';
import { describe, expect, it } from 'vitest';
import { DistillationLoss, F } from '../src/index';

const studentRows = [[2.0, -1.0, 0.5], [0.1, 0.3, -0.7]];
const teacherRows = [[1.5, 0.2, -0.3], [-0.4, 1.1, 0.6]];
const labels = [0, 2];

/** Hinton's loss written out in float64: α·T²·mean_rows Σ_c p_t (log p_t − log p_s) + (1 − α)·mean_rows −log softmax(s)[y]. */
function byHand(temperature: number, alpha: number): number {
  const logSoftmax = (row: number[], t: number) => {
    const scaled = row.map((v) => v / t);
    const max = Math.max(...scaled);
    const logSum = Math.log(scaled.reduce((sum, v) => sum + Math.exp(v - max), 0)) + max;
    return scaled.map((v) => v - logSum);
  };
  let kl = 0;
  let ce = 0;
  studentRows.forEach((row, r) => {
    const logPt = logSoftmax(teacherRows[r], temperature);
    const logPs = logSoftmax(row, temperature);
    kl += logPt.reduce((sum, lt, c) => sum + Math.exp(lt) * (lt - logPs[c]), 0);
    ce -= logSoftmax(row, 1)[labels[r]];
  });
  const rows = studentRows.length;
  return alpha * temperature * temperature * (kl / rows) + (1 - alpha) * (ce / rows);
}

describe('distillationLoss (Hinton et al.)', () => {
  // PyTorch 1.13, float64: α·kl_div(log_softmax(s/T), softmax(t/T), 'batchmean')·T² + (1 − α)·cross_entropy(s, y).
  const pytorch: [number, number, number][] = [
    [2, 0.5, 0.6350261838108332],
    [4, 0.9, 0.3716294220611792],
    [1, 0, 1.0118318924054925],
    [3, 1, 0.28674244036313606],
  ];

  for (const [temperature, alpha, expected] of pytorch) {
    it(`matches the hand computation and PyTorch for T = ${temperature}, α = ${alpha}`, async () => {
      const s = tensor(studentRows, { dtype: 'float64' });
      const t = tensor(teacherRows, { dtype: 'float64' });
      const y = tensor(labels, { dtype: 'int32' });
      const value = await F.distillationLoss(s, t, y, { temperature, alpha }).item();
      expect(Math.abs(value - byHand(temperature, alpha))).toBeLessThan(1e-14);
      expect(Math.abs(value - expected)).toBeLessThan(1e-14);
    });
  }

  it('gradients: PyTorch\'s, finite differences, and none for the teacher', async () => {
    const s = tensor(studentRows, { dtype: 'float64', requiresGrad: true });
    const t = tensor(teacherRows, { dtype: 'float64', requiresGrad: true });
    const y = tensor(labels, { dtype: 'int32' });
    F.distillationLoss(s, t, y, { temperature: 2, alpha: 0.5 }).backward();
    const expected = [-0.017955252900478308, -0.05976314612959158, 0.07771839903006988, 0.16883970002401177, 0.09131990195545665, -0.2601596019794685];
    Array.from(await s.grad!.data()).forEach((g, i) => expect(Math.abs(g - expected[i])).toBeLessThan(1e-14));
    expect(t.grad).toBeNull();
    expect(await gradcheck((x) => F.distillationLoss(x, t, y, { temperature: 3, alpha: 0.7 }), [tensor(studentRows, { dtype: 'float64', requiresGrad: true })])).toBe(true);
  });

  it('takes [B, T, vocab] logits with [B, T] targets, the module form, and computes in float32 under autocast', async () => {
    const s = tensor([studentRows, teacherRows]);
    const t = tensor([teacherRows, studentRows]);
    const y = tensor([labels, [1, 1]], { dtype: 'int32' });
    const flat = await F.distillationLoss(s.reshape([4, 3]), t.reshape([4, 3]), y.reshape([4])).item();
    expect(await F.distillationLoss(s, t, y).item()).toBeCloseTo(flat, 6);
    expect(await new DistillationLoss({ temperature: 2, alpha: 0.5 }).forward(s, t, y).item()).toBeCloseTo(flat, 6);
    expect(autocast(() => F.distillationLoss(s.half(), t.half(), y)).dtype).toBe('float32');
    expect(() => F.distillationLoss(s, t, y, { temperature: 0 })).toThrow(ValueError);
    expect(() => new DistillationLoss({ alpha: 2 })).toThrow(/alpha must be in \[0, 1\]/);
    expect(() => F.distillationLoss(s, t, tensor([0], { dtype: 'int32' }))).toThrow(/targets \[1\] must have the logits' shape/);
  });
});
