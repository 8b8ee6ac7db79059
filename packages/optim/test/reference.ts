/**
 * Plain float64 JavaScript implementations of the update rules PyTorch documents for each optimizer,
 * one step at a time over number arrays. The Tessera optimizers (tensor ops, float32 or float64) are
 * checked against these, and these are checked against PyTorch's own numbers (pytorch-reference.ts).
 */
import type { AdagradOptions, AdamOptions, RMSpropOptions, SGDOptions } from '../src/index';

/** One optimizer step: the new parameters from the current ones and their gradient. */
export type ReferenceStep = (w: number[], grad: number[]) => number[];

/** The gradient of f(w) = Σ (w − c)². */
export function quadraticGradient(w: number[], c: number[]): number[] {
  return w.map((value, i) => 2 * (value - c[i]));
}

/** The parameters after each of `steps` steps of minimising Σ (w − c)² from w0. */
export function referenceTrajectory(step: ReferenceStep, w0: number[], c: number[], steps: number): number[][] {
  const trajectory: number[][] = [];
  let w = [...w0];
  for (let t = 0; t < steps; t++) {
    w = step(w, quadraticGradient(w, c));
    trajectory.push(w);
  }
  return trajectory;
}

function withDecayAndSign(w: number[], grad: number[], weightDecay: number, maximize: boolean): number[] {
  return grad.map((g, i) => (maximize ? -g : g) + weightDecay * w[i]);
}

/** torch.optim.SGD */
export function sgdReference(options: Partial<SGDOptions>): ReferenceStep {
  const { lr = 1e-3, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0, maximize = false } = options;
  let buffer: number[] | null = null;
  return (w, grad) => {
    let g = withDecayAndSign(w, grad, weightDecay, maximize);
    if (momentum !== 0) {
      const previous = buffer;
      const next: number[] = previous === null ? [...g] : previous.map((b, i) => momentum * b + (1 - dampening) * g[i]);
      buffer = next;
      g = nesterov ? g.map((value, i) => value + momentum * next[i]) : next;
    }
    return w.map((value, i) => value - lr * g[i]);
  };
}

/** torch.optim.Adam (decoupled = false) and torch.optim.AdamW (decoupled = true) */
export function adamReference(options: Partial<AdamOptions>, decoupled: boolean): ReferenceStep {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = decoupled ? 0.01 : 0, amsgrad = false, maximize = false } = options;
  const [beta1, beta2] = betas;
  let m: number[] | null = null;
  let v: number[] | null = null;
  let vMax: number[] | null = null;
  let t = 0;
  return (w, grad) => {
    t += 1;
    let params = w;
    let g: number[];
    if (decoupled) {
      params = w.map((value) => value * (1 - lr * weightDecay));
      g = withDecayAndSign(w, grad, 0, maximize);
    } else {
      g = withDecayAndSign(w, grad, weightDecay, maximize);
    }
    m = (m ?? g.map(() => 0)).map((value, i) => beta1 * value + (1 - beta1) * g[i]);
    v = (v ?? g.map(() => 0)).map((value, i) => beta2 * value + (1 - beta2) * g[i] * g[i]);
    const vNow = v;
    if (amsgrad) vMax = (vMax ?? g.map(() => 0)).map((value, i) => Math.max(value, vNow[i]));
    const second = amsgrad ? vMax! : v;
    const mNow = m;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2 = 1 - beta2 ** t;
    return params.map((value, i) => value - (lr / biasCorrection1) * (mNow[i] / (Math.sqrt(second[i]) / Math.sqrt(biasCorrection2) + eps)));
  };
}

/** torch.optim.RMSprop */
export function rmspropReference(options: Partial<RMSpropOptions>): ReferenceStep {
  const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false } = options;
  let squareAvg: number[] | null = null;
  let gradAvg: number[] | null = null;
  let buffer: number[] | null = null;
  return (w, grad) => {
    const g = withDecayAndSign(w, grad, weightDecay, maximize);
    const sq = (squareAvg = (squareAvg ?? g.map(() => 0)).map((value, i) => alpha * value + (1 - alpha) * g[i] * g[i]));
    let denominator: number[];
    if (centered) {
      const ga = (gradAvg = (gradAvg ?? g.map(() => 0)).map((value, i) => alpha * value + (1 - alpha) * g[i]));
      denominator = sq.map((value, i) => Math.sqrt(value - ga[i] * ga[i]) + eps);
    } else {
      denominator = sq.map((value) => Math.sqrt(value) + eps);
    }
    if (momentum > 0) {
      const b = (buffer = (buffer ?? g.map(() => 0)).map((value, i) => momentum * value + g[i] / denominator[i]));
      return w.map((value, i) => value - lr * b[i]);
    }
    return w.map((value, i) => value - (lr * g[i]) / denominator[i]);
  };
}

/** torch.optim.Adagrad */
export function adagradReference(options: Partial<AdagradOptions>): ReferenceStep {
  const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = options;
  let sum: number[] | null = null;
  let t = 0;
  return (w, grad) => {
    t += 1;
    const g = withDecayAndSign(w, grad, weightDecay, maximize);
    const decayedLr = lr / (1 + (t - 1) * lrDecay);
    const s = (sum = (sum ?? g.map(() => initialAccumulatorValue)).map((value, i) => value + g[i] * g[i]));
    return w.map((value, i) => value - (decayedLr * g[i]) / (Math.sqrt(s[i]) + eps));
  };
}
