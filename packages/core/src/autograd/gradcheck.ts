/**
 * Finite-difference gradient checking (float64 central differences), the test oracle for every
 * gradient rule and every backend.
 */
import { AutogradError } from '../errors';
import { tensor } from '../ops/creation';
import { Scope } from '../memory/scope';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor/tensor';
import { noGrad } from './grad-mode';
import { fillPhiloxStream } from '../random/philox';

/** Tolerances and step of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random output projection (default 0). */
  seed?: number;
}

/**
 * Check the analytic gradients of `fn` at `inputs` against central differences.
 * The output is projected on a fixed random vector `v`, so one backward pass gives `vᵀJ`, and each
 * input element is perturbed by ±eps. Inputs must be float64 (use a backend that has it, e.g. cpu).
 * Resolves to `true`, or rejects with an AutogradError listing the worst mismatches.
 * @example
 * await gradcheck((a, b) => a.mul(b).sum(), [randn([3], { dtype: 'float64' }), randn([3], { dtype: 'float64' })]);
 */
export async function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): Promise<true> {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  for (const [i, input] of inputs.entries()) {
    input.assertLive('gradcheck');
    if (input.dtype !== 'float64') {
      throw new AutogradError(`gradcheck: input ${i} is ${input.dtype}; finite differences need float64 inputs (shape ${formatShape(input.shape)})`);
    }
  }
  const scope = new Scope();
  try {
    const values = await Promise.all(inputs.map((input) => input.data() as Promise<Float64Array>));
    const device = inputs[0]?.device;
    const make = (data: Float64Array, i: number, requiresGrad: boolean) =>
      scope.run(() => tensor(data, { dtype: 'float64', shape: inputs[i].shape, device, requiresGrad }));

    // Analytic: d(v·f)/dx for every input.
    const leaves = values.map((data, i) => make(data, i, true));
    const output = scope.run(() => fn(...leaves));
    if (output.dtype !== 'float64') throw new AutogradError(`gradcheck: fn must return a float64 tensor, got ${output.dtype}`);
    const projection = new Float64Array(output.size);
    fillPhiloxStream(projection, { distribution: 'normal', key: [options.seed ?? 0, 0x67726164], counter: [0, 0] });
    const direction = scope.run(() => tensor(projection, { dtype: 'float64', shape: output.shape, device }));
    const projected = scope.run(() => output.mul(direction).sum());
    scope.run(() => projected.backward());
    const analytic = await Promise.all(
      leaves.map(async (leaf) => (leaf.grad ? ((await leaf.grad.data()) as Float64Array) : new Float64Array(leaf.size))),
    );

    // Numeric: central differences of v·f.
    const evaluate = async (i: number, data: Float64Array): Promise<number> => {
      const args = values.map((original, j) => make(j === i ? data : original, j, false));
      const value = noGrad(() => scope.run(() => fn(...args).mul(direction).sum()));
      const result = await value.item();
      value.dispose();
      for (const arg of args) arg.dispose();
      return result;
    };
    const failures: string[] = [];
    let checked = 0;
    for (let i = 0; i < values.length; i++) {
      if (!inputs[i].requiresGrad && inputs.some((input) => input.requiresGrad)) continue;
      for (let j = 0; j < values[i].length; j++) {
        const perturbed = Float64Array.from(values[i]);
        perturbed[j] = values[i][j] + eps;
        const plus = await evaluate(i, perturbed);
        perturbed[j] = values[i][j] - eps;
        const minus = await evaluate(i, perturbed);
        const numeric = (plus - minus) / (2 * eps);
        const got = analytic[i][j];
        checked++;
        if (!(Math.abs(got - numeric) <= atol + rtol * Math.abs(numeric))) {
          failures.push(`input ${i} element ${j}: analytic ${got}, numeric ${numeric}`);
        }
      }
    }
    if (failures.length) {
      throw new AutogradError(`gradcheck: ${failures.length} of ${checked} gradient entries disagree:\n  ${failures.slice(0, 10).join('\n  ')}`);
    }
    return true;
  } finally {
    scope.dispose();
  }
}
