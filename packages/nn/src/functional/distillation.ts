/**
 * Knowledge distillation (Hinton, Vinyals & Dean, 2015): train a small student on a large teacher's
 * softened output distribution as well as on the hard labels.
 */
import { autocastActive, autocastOp, tidy, ShapeError, ValueError, type Tensor } from '@tessera/core';
import { crossEntropy } from './losses';
import { expectFloating, expectInt, shapeText } from './checks';

/** Options of {@link distillationLoss}. */
export interface DistillationLossOptions {
  /** T ≥ 1 softens both distributions, so the teacher's small probabilities (its "dark knowledge") count (default 2). */
  temperature?: number;
  /** Weight α ∈ [0, 1] of the soft term; the hard-label cross-entropy gets 1 − α (default 0.5). */
  alpha?: number;
}

/**
 * @internal The options with their defaults, checked (`op` names the caller in errors).
 * @example
 * distillationOptions('DistillationLoss', {}); // { temperature: 2, alpha: 0.5 }
 */
export function distillationOptions(op: string, options: DistillationLossOptions): Required<DistillationLossOptions> {
  const temperature = options.temperature ?? 2;
  const alpha = options.alpha ?? 0.5;
  if (!(typeof temperature === 'number' && temperature > 0 && Number.isFinite(temperature))) {
    throw new ValueError(`${op}: temperature must be a positive number, got ${String(temperature)}`);
  }
  if (!(typeof alpha === 'number' && alpha >= 0 && alpha <= 1)) throw new ValueError(`${op}: alpha must be in [0, 1], got ${String(alpha)}`);
  return { temperature, alpha };
}

/**
 * `α · KL(softmax(t/T) ‖ softmax(s/T)) · T² + (1 − α) · CE(s, targets)` for student logits `s` and teacher
 * logits `t` of shape `[..., C]` (classes last: `[N, C]`, or a language model's `[B, T, vocab]`) and int32
 * class indices `targets` of shape `[...]`. The KL divergence is summed over classes and averaged over the
 * rows (PyTorch's `kl_div(…, reduction='batchmean')`), the cross-entropy averaged over the rows. T²
 * keeps the soft term's gradients at the scale of the hard term's as T changes. The teacher is
 * detached: no gradient reaches it. Computes in float32 under autocast.
 * @example
 * const teacherLogits = noGrad(() => teacher.forward(x));
 * const loss = distillationLoss(student.forward(x), teacherLogits, labels, { temperature: 4, alpha: 0.9 });
 */
export function distillationLoss(studentLogits: Tensor, teacherLogits: Tensor, targets: Tensor, options: DistillationLossOptions = {}): Tensor {
  if (autocastActive()) return autocastOp('distillationLoss', 'float32', [studentLogits, teacherLogits, targets, options], distillationLoss);
  const op = 'distillationLoss';
  const { temperature, alpha } = distillationOptions(op, options);
  expectFloating(op, 'studentLogits', studentLogits);
  expectFloating(op, 'teacherLogits', teacherLogits);
  expectInt(op, 'targets', targets);
  const shape = studentLogits.shape;
  if (studentLogits.ndim < 1 || teacherLogits.ndim !== studentLogits.ndim || teacherLogits.shape.some((size, d) => size !== shape[d])) {
    throw new ShapeError(`${op}: studentLogits ${shapeText(shape)} and teacherLogits ${shapeText(teacherLogits.shape)} must have one shape [..., C]`);
  }
  const rowsShape = shape.slice(0, -1);
  if (targets.ndim !== rowsShape.length || targets.shape.some((size, d) => size !== rowsShape[d])) {
    throw new ShapeError(`${op}: targets ${shapeText(targets.shape)} must have the logits' shape without the class dim, ${shapeText(rowsShape)}`);
  }
  const classes = shape[shape.length - 1];
  const rows = studentLogits.size / classes;
  return tidy(() => {
    const student = studentLogits.reshape([rows, classes]);
    const teacher = teacherLogits.detach().reshape([rows, classes]);
    const hard = alpha < 1 ? crossEntropy(student, targets.reshape([rows])) : null;
    if (alpha === 0) return hard!;
    const teacherLogProbs = teacher.div(temperature).logSoftmax(-1);
    const studentLogProbs = student.div(temperature).logSoftmax(-1);
    // KL(p_t ‖ p_s) = Σ p_t·(log p_t − log p_s); p_t = 0 contributes 0 (log p_t stays finite).
    const kl = teacherLogProbs.exp().mul(teacherLogProbs.sub(studentLogProbs)).sum().div(rows);
    const soft = kl.mul(alpha * temperature * temperature);
    return hard ? soft.add(hard.mul(1 - alpha)) : soft;
  });
}
