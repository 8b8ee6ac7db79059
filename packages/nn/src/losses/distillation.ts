/**
 * The distillation loss as a module (it takes three inputs, so it is not a {@link Loss}).
 */
import type { Tensor } from '@tessera/core';
import { Module } from '../module';
import { distillationLoss, distillationOptions, type DistillationLossOptions } from '../functional/distillation';

/**
 * Hinton's distillation loss with fixed `temperature` and `alpha` (see `F.distillationLoss`).
 * @example
 * const criterion = new DistillationLoss({ temperature: 4, alpha: 0.9 });
 * const loss = criterion.forward(student.forward(x), noGrad(() => teacher.forward(x)), labels);
 */
export class DistillationLoss extends Module {
  readonly temperature: number;
  readonly alpha: number;

  constructor(options: DistillationLossOptions = {}) {
    super();
    ({ temperature: this.temperature, alpha: this.alpha } = distillationOptions('DistillationLoss', options));
  }

  forward(studentLogits: Tensor, teacherLogits: Tensor, targets: Tensor): Tensor {
    return distillationLoss(studentLogits, teacherLogits, targets, { temperature: this.temperature, alpha: this.alpha });
  }

  override extraRepr(): string {
    return `temperature=${this.temperature}, alpha=${this.alpha}`;
  }
}
