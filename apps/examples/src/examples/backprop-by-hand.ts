/**
 * backprop-by-hand: the course's worked backpropagation example, computed by autograd.
 *
 * Two inputs x = (0.1, 0.3), one hidden unit and one output unit, both sigmoid, no biases; input-to-hidden
 * weights w = (0.4, −0.2), hidden-to-output weight W = 0.1, target y = 1, learning rate η = 0.5, error
 * E = ½(y − ŷ)². The course finds δᵒ = 0.122, δʰ = 0.003, ΔW = 0.0302 and Δw = (0.00015, 0.00045) by hand.
 * Here the error terms are −∂E/∂(unit input) (read from retained gradients) and the steps are −η ∂E/∂weight.
 */
import { noGrad, tensor } from '@tessera/core';
import { SGD } from '@tessera/optim';
import { printer, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const dtype = 'float64' as const;
  const x = tensor([0.1, 0.3], { dtype });
  const w = tensor([0.4, -0.2], { dtype, requiresGrad: true }); // input → hidden
  const W = tensor(0.1, { dtype, requiresGrad: true }); // hidden → output
  const y = 1;
  const lr = 0.5;

  // Forward pass.
  const h = x.mul(w).sum().retainGrad(); // h = Σᵢ wᵢxᵢ
  const a = h.sigmoid(); // hidden output
  const z = W.mul(a).retainGrad(); // input of the output unit
  const yHat = z.sigmoid();
  const error = yHat.neg().add(y).pow(2).mul(0.5); // E = ½(y − ŷ)²
  error.backward();

  const values = {
    h: await h.item(),
    a: await a.item(),
    yHat: await yHat.item(),
    deltaOutput: -(await z.grad!.item()), // δᵒ = (y − ŷ) f'(z)
    deltaHidden: -(await h.grad!.item()), // δʰ = W δᵒ f'(h)
    stepW: -lr * (await W.grad!.item()), // ΔW = η δᵒ a
    stepw: Array.from(await w.grad!.data(), (g) => -lr * Number(g)), // Δwᵢ = η δʰ xᵢ
  };

  print('Forward pass');
  print(`  h = 0.1 × 0.4 + 0.3 × (−0.2) = ${values.h.toFixed(4)}`);
  print(`  a = σ(h) = ${values.a.toFixed(4)}`);
  print(`  ŷ = σ(W · a) = σ(0.1 × ${values.a.toFixed(4)}) = ${values.yHat.toFixed(4)}`);
  print('Backward pass (autograd)');
  print(`  δᵒ = (y − ŷ) σ'(W·a) = ${values.deltaOutput.toFixed(4)}   (course: 0.122)`);
  print(`  δʰ = W δᵒ σ'(h)      = ${values.deltaHidden.toFixed(5)}  (course: 0.003)`);
  print(`  ΔW = η δᵒ a          = ${values.stepW.toFixed(5)}  (course: 0.0302)`);
  print(`  Δw = η δʰ x          = (${values.stepw.map((v) => v.toFixed(6)).join(', ')})  (course: (0.00015, 0.00045))`);

  // One SGD step applies exactly these steps: w ← w + Δw, W ← W + ΔW.
  const optimizer = new SGD([w, W], { lr });
  optimizer.step();
  const after = { W: await W.item(), w: Array.from(await w.data(), Number) };
  print(`After one SGD step (lr ${lr}): W = ${after.W.toFixed(5)}, w = (${after.w.map((v) => v.toFixed(6)).join(', ')})`);
  noGrad(() => {
    for (const t of [x, w, W, h, a, z, yHat, error]) t.dispose();
  });
  optimizer.dispose();
  return { ...values, after };
}
