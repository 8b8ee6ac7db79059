/**
 * perceptron: the course's perceptron trick on linearly separable 2-D points, printing the boundary line
 * w₁x₁ + w₂x₂ + b = 0 after every epoch until every point is on its side.
 */
import { manualSeed, noGrad } from '@tessera/core';
import { Perceptron, accuracy } from '@tessera/nn';
import { blobs, printer, type ExampleOptions } from '../common';

function describeLine(weights: number[], bias: number): string {
  const [w1, w2] = weights;
  if (Math.abs(w2) < 1e-12) return `x₁ = ${(-bias / w1).toFixed(3)}`;
  return `x₂ = ${(-w1 / w2).toFixed(3)}·x₁ ${-bias / w2 >= 0 ? '+' : '−'} ${Math.abs(bias / w2).toFixed(3)}`;
}

export async function main(options: ExampleOptions = {}) {
  const print = printer(options);
  manualSeed(3);
  // Two clusters far enough apart to be separable by a line.
  const { points, labels } = blobs([[-0.5, 1], [1, -0.5]], options.quick ? 20 : 50, 0.35);
  const perceptron = new Perceptron(2);
  const result = await perceptron.train(points, labels, { lr: 0.01, maxEpochs: 100 });
  print(`${points.shape[0]} points, learning rate 0.01: the line after each epoch`);
  for (const epoch of result.history) {
    print(`  epoch ${String(epoch.epoch).padStart(2)}: ${String(epoch.mistakes).padStart(3)} mistakes → ${describeLine(epoch.weights, epoch.bias)}`);
  }
  const trainAccuracy = await noGrad(() => accuracy(perceptron.forward(points).int(), labels, { numClasses: 2 })).item();
  print(result.converged ? `Converged after ${result.epochs} epochs: every point is classified correctly.` : `Stopped after ${result.epochs} epochs without converging.`);
  const last = result.history.at(-1)!;
  perceptron.dispose();
  points.dispose();
  labels.dispose();
  return { converged: result.converged, epochs: result.epochs, accuracy: trainAccuracy, weights: last.weights, bias: last.bias, mistakesPerEpoch: result.history.map((e) => e.mistakes) };
}
