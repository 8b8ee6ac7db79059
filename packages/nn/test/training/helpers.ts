/**
 * Tiny stand-ins for a model and an optimizer, built from core tensors only, so the training tools are
 * tested without depending on the layers or on @tessera/optim.
 */
import { isGradEnabled, noGrad, randn, zeros, type Tensor } from '@tessera/core';
import type { OptimizerLike, TrainableModel } from '../../src/training/index';

/** y = x·W + b, recording the mode and grad state of every forward call. */
export class TinyLinear implements TrainableModel {
  weight: Tensor;
  bias: Tensor;
  training = true;
  readonly calls: { training: boolean; gradEnabled: boolean }[] = [];

  constructor(inputs: number, outputs: number) {
    this.weight = randn([inputs, outputs]).mul(0.1).requiresGrad_();
    this.bias = zeros([outputs]).requiresGrad_();
  }

  forward(x: Tensor): Tensor {
    this.calls.push({ training: this.training, gradEnabled: isGradEnabled() });
    return x.matmul(this.weight).add(this.bias);
  }

  parameters(): Tensor[] {
    return [this.weight, this.bias];
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  stateDict(): Record<string, Tensor> {
    return { weight: this.weight, bias: this.bias };
  }

  loadStateDict(stateDict: Record<string, Tensor>): void {
    noGrad(() => {
      this.weight.assign(stateDict.weight);
      this.bias.assign(stateDict.bias);
    });
  }
}

/** Plain gradient descent, p ← p − lr·∇p, with a paramGroups list like optim's. */
export class TinySGD implements OptimizerLike {
  readonly paramGroups: { params: Tensor[]; lr: number }[];
  steps = 0;

  constructor(params: Tensor[], lr: number) {
    this.paramGroups = [{ params, lr }];
  }

  step(): void {
    this.steps++;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (!p.grad) continue;
          const update = p.grad.mul(group.lr);
          const next = p.sub(update);
          p.assign(next);
          update.dispose();
          next.dispose();
        }
      }
    });
  }

  zeroGrad(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }
}

/** A batch iterable that makes fresh tensors every epoch, like a DataLoader. */
export function batches(make: () => [Tensor, Tensor][]): Iterable<[Tensor, Tensor]> & { length: number } {
  const probe = make();
  const length = probe.length;
  for (const [x, y] of probe) {
    x.dispose();
    y.dispose();
  }
  return {
    length,
    *[Symbol.iterator]() {
      yield* make();
    },
  };
}
