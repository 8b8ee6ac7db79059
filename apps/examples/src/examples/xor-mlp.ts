/**
 * xor-mlp: XOR is not linearly separable, but combining linear models makes it. First the course's
 * construction by hand — XOR(x₁, x₂) = AND(OR(x₁, x₂), NAND(x₁, x₂)), three perceptrons with step
 * activations — then a 2-4-1 network that learns a non-linear boundary from data with fit().
 */
import { cat, manualSeed, noGrad, tensor, tidy, type Tensor } from '@tessera/core';
import { F, MLP, Step, fit } from '@tessera/nn';
import { Adam } from '@tessera/optim';
import { printer, type ExampleOptions } from '../common';

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  const inputs = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const xor = tensor([0, 1, 1, 0]);
  const step = new Step();

  // A perceptron is step(w·x + b); these weights make OR, NAND and AND.
  const unit = (x: Tensor, w: number[], b: number) => step.forward(x.matmul(tensor(w).reshape([2, 1])).add(b));
  const [or, nand, byHand] = tidy(() => {
    const orUnit = unit(inputs, [1, 1], -0.5); // [4, 1]
    const nandUnit = unit(inputs, [-1, -1], 1.5);
    const xorUnit = unit(cat([orUnit, nandUnit], 1), [1, 1], -1.5); // AND of the two
    return [orUnit.reshape([4]), nandUnit.reshape([4]), xorUnit.reshape([4])];
  });
  const byHandValues = Array.from(await byHand.data(), Number);
  print('By hand: XOR = AND(OR, NAND), each a perceptron with a step activation');
  print('  x₁ x₂ | OR NAND | XOR');
  const orValues = Array.from(await or.data(), Number);
  const nandValues = Array.from(await nand.data(), Number);
  const rows = (await inputs.array()) as number[][];
  rows.forEach(([a, b], i) => print(`   ${a}  ${b} |  ${orValues[i]}    ${nandValues[i]} |  ${byHandValues[i]}`));

  const epochs = options.quick ? 200 : 300;
  print(`\nLearned: a 2-4-1 network (tanh hidden layer), Adam lr 0.05, log-loss, ${epochs} epochs on the four points`);
  manualSeed(1);
  const model = new MLP({ sizes: [2, 4, 1], activation: 'tanh' });
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const targets = xor.reshape([4, 1]);
  const history = await fit(model, {
    train: [[inputs, targets]],
    loss: (logits, y) => F.binaryCrossEntropyWithLogits(logits, y),
    optimizer,
    epochs,
    metrics: ['accuracy'],
  });
  const probabilities = noGrad(() => tidy(() => model.forward(inputs).sigmoid().reshape([4])));
  const learned = Array.from(await probabilities.data(), Number);
  rows.forEach(([a, b], i) => print(`   ${a}  ${b} → P(XOR = 1) = ${learned[i].toFixed(3)}`));
  const last = history.last!;
  print(`final log-loss ${last.loss.toFixed(4)}, accuracy ${last.accuracy}`);
  for (const t of [inputs, xor, or, nand, byHand, probabilities, targets]) t.dispose();
  model.dispose();
  optimizer.dispose();
  return { byHand: byHandValues, learned, accuracy: last.accuracy, loss: last.loss };
}
