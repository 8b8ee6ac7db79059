/**
 * hessian-minimum-saddle: the course's local-minimum condition, checked with second derivatives.
 *
 * A weight vector w is a local minimum when ∇L(w) = 0 and the Hessian ∇²L(w) is positive definite (all
 * eigenvalues > 0). Where the gradient vanishes but the eigenvalues have mixed signs, w is a saddle point:
 * the loss rises along some directions and falls along others.
 *
 * The network is the smallest one with this landscape: ŷ = w₂·tanh(w₁·x), one tanh hidden unit and two
 * weights, fitted by mean squared error to 21 points of a noisy tanh curve. Flipping the signs of both
 * weights gives the same network, so there are two mirror-image minima; between them, at w = (0, 0), the
 * gradient is zero too, and the Hessian [[0, c], [c, 0]] has eigenvalues ±c: a saddle. Gradient descent
 * finds a minimum; `hessian` from @tessera/core gives the exact second derivatives at both points,
 * and `linalg.eigh` their eigenvalues.
 */
import { grad, hessian, linalg, noGrad, tensor, type Tensor } from '@tessera/core';
import { printer, table, type ExampleOptions } from '../common';

/** The two weights of ŷ = w₂·tanh(w₁·x) as one parameter vector [w₁, w₂]. */
type Weights = [number, number];

/** The data: 21 points of 1.5·tanh(1.2x) on [−2, 2] with a small deterministic wiggle as "noise". */
export function curveData(): { x: number[]; y: number[] } {
  const x = Array.from({ length: 21 }, (_, i) => -2 + 0.2 * i);
  return { x, y: x.map((value) => 1.5 * Math.tanh(1.2 * value) + 0.05 * Math.sin(5 * value)) };
}

/** What the example reports about one critical point. */
interface CriticalPoint {
  weights: Weights;
  loss: number;
  gradientNorm: number;
  hessian: number[][];
  /** Ascending. */
  eigenvalues: number[];
  /** Columns, one per eigenvalue. */
  eigenvectors: number[][];
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const dtype = 'float64' as const;
  const data = curveData();
  const x = tensor(data.x, { dtype });
  const y = tensor(data.y, { dtype });
  /** L(w) = mean (w₂·tanh(w₁x) − y)² for a parameter vector w = [w₁, w₂]. */
  const loss = (w: Tensor) => x.mul(w.select(0, 0)).tanh().mul(w.select(0, 1)).sub(y).pow(2).mean();
  const lossAt = (weights: readonly number[]) => noGrad(() => {
    const w = tensor(weights, { dtype });
    const value = loss(w);
    const result = value.itemSync();
    value.dispose();
    w.dispose();
    return result;
  });

  const describe = (weights: Weights): CriticalPoint => {
    const w = tensor(weights, { dtype, requiresGrad: true });
    const value = loss(w);
    const [gradient] = grad(value, [w]);
    const h = hessian(loss, w);
    const { eigenvalues, eigenvectors } = linalg.eigh(h);
    const point = {
      weights,
      loss: value.itemSync(),
      gradientNorm: Math.hypot(...(gradient!.dataSync() as Float64Array)),
      hessian: h.arraySync() as number[][],
      eigenvalues: Array.from(eigenvalues.dataSync()),
      eigenvectors: eigenvectors.arraySync() as number[][],
    };
    for (const t of [w, value, gradient!, h, eigenvalues, eigenvectors]) t.dispose();
    return point;
  };

  // 1. Train to a minimum: full-batch gradient descent from small weights, until the gradient vanishes.
  const lr = 0.6;
  const maxSteps = 5000; // converges in a few hundred steps, so quick and full runs are the same
  const w = tensor([0.3, 0.2], { dtype, requiresGrad: true });
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    const value = loss(w);
    const [gradient] = grad(value, [w]);
    const norm = Math.hypot(...(gradient!.dataSync() as Float64Array));
    noGrad(() => w.assign(w.sub(gradient!.mul(lr))));
    value.dispose();
    gradient!.dispose();
    if (norm < 1e-10) break;
  }
  const trained = Array.from(w.dataSync()) as Weights;
  w.dispose();
  print(`ŷ = w₂·tanh(w₁·x) fitted to ${data.x.length} points of 1.5·tanh(1.2x) + 0.05·sin(5x) by mean squared error`);
  print(`gradient descent (lr ${lr}) from w = (0.3, 0.2): ${steps} steps to w = (${trained.map((v) => v.toFixed(6)).join(', ')})\n`);

  const minimum = describe(trained);
  const mirror = describe([-trained[0], -trained[1]]);
  const saddle = describe([0, 0]);

  const kindOf = (p: CriticalPoint) =>
    p.eigenvalues.every((e) => e > 0) ? 'minimum (all > 0)' : p.eigenvalues.some((e) => e < 0) && p.eigenvalues.some((e) => e > 0) ? 'saddle (mixed signs)' : 'degenerate';
  const matrixText = (m: number[][]) => `[${m.map((row) => `[${row.map((v) => v.toFixed(3)).join(', ')}]`).join(', ')}]`;
  const rows: [string, CriticalPoint][] = [['trained minimum', minimum], ['its mirror (−w)', mirror], ['origin', saddle]];
  print(
    table(
      ['point', 'w₁', 'w₂', 'loss', '‖∇L‖', 'Hessian', 'eigenvalues', 'kind'],
      rows.map(([name, p]) => [
        name,
        p.weights[0],
        p.weights[1],
        p.loss,
        p.gradientNorm.toExponential(1),
        matrixText(p.hessian),
        p.eigenvalues.map((e) => e.toFixed(4)).join(', '),
        kindOf(p),
      ]),
    ),
  );

  // 2. What the signs mean: along the saddle's negative-curvature eigenvector the loss falls, along the other it rises.
  const step = 0.05;
  const down = saddle.eigenvectors.map((row) => row[0] * step);
  const up = saddle.eigenvectors.map((row) => row[1] * step);
  const alongNegative = lossAt(down) - saddle.loss;
  const alongPositive = lossAt(up) - saddle.loss;
  print(`\nat the saddle, a step of ${step} along the eigenvector of ${saddle.eigenvalues[0].toFixed(4)} changes the loss by ${alongNegative.toExponential(3)}`);
  print(`and along the eigenvector of ${saddle.eigenvalues[1].toFixed(4)} by ${alongPositive.toExponential(3)} (½λ·${step}² = ${(0.5 * saddle.eigenvalues[1] * step * step).toExponential(3)}):`);
  print('gradient descent started exactly at the saddle never leaves it; any perturbation with a component along the first direction slides down to a minimum.');

  x.dispose();
  y.dispose();
  return { data, steps, minimum, mirror, saddle, alongNegative, alongPositive };
}
