/**
 * Data parallelism on one machine: replicas of a model on several backends (two CPU instances, or CPU
 * and WebGPU), each running the forward and backward of its slice of the batch, then an all-reduce that
 * sums the gradients in a fixed order (replica 0, 1, 2, …) on the first backend and hands the result to
 * every replica — so each replica's optimizer takes the same step and the replicas stay identical.
 *
 * In one JavaScript thread the replicas run one after another: on CPU backends this shows the method
 * (and that it is exact) rather than speeding training up; the work overlaps only where a backend
 * computes asynchronously (WebGPU).
 */
import { keep, noGrad, split, tidy, ValueError, type Tensor } from '@tessera/core';
import type { Module } from '../module';

/** Options of {@link allReduceGradients}. */
export interface AllReduceOptions {
  /** `'sum'` (default) or `'mean'` (the sum divided by the number of replicas). */
  op?: 'sum' | 'mean';
}

/**
 * Sum (or average) the gradients of the same parameter across `replicas`, in replica order, on the first
 * replica's backend, and give every replica the result as its `.grad` (a missing gradient counts as zero).
 * The parameters must correspond one to one (replicas of one architecture).
 * @example
 * await allReduceGradients([replicaOnCpu, replicaOnCpu2], { op: 'mean' });
 */
export async function allReduceGradients(replicas: readonly Module[], options: AllReduceOptions = {}): Promise<void> {
  const op = options.op ?? 'sum';
  if (op !== 'sum' && op !== 'mean') throw new ValueError(`allReduceGradients: op must be 'sum' or 'mean', got ${JSON.stringify(op)}`);
  if (replicas.length === 0) throw new ValueError('allReduceGradients: expected at least one replica');
  const params = replicas.map((replica) => replica.parameters());
  const count = params[0].length;
  params.forEach((list, i) => {
    if (list.length !== count) throw new ValueError(`allReduceGradients: replica ${i} has ${list.length} parameters, replica 0 has ${count}; replicas must share one architecture`);
  });
  for (let j = 0; j < count; j++) {
    const home = params[0][j];
    const grads = params.map((list) => list[j].grad);
    if (grads.every((grad) => grad === null)) continue;
    let total: Tensor | null = null;
    for (const grad of grads) {
      if (grad === null) continue;
      const here = grad.device === home.device ? grad : await copyTo(grad, home.device);
      const next: Tensor = total ? noGrad(() => total!.add(here)) : noGrad(() => here.clone());
      total?.dispose();
      if (here !== grad) here.dispose();
      total = next;
    }
    if (op === 'mean') {
      const mean = noGrad(() => total!.div(replicas.length));
      total!.dispose();
      total = mean;
    }
    for (const [i, list] of params.entries()) {
      const param = list[j];
      const value = i === 0 ? total! : await copyTo(total!, param.device);
      param.grad?.dispose();
      param.grad = keep(value);
    }
  }
}

/** A copy of `tensor`'s values on `device`, cut from the graph. */
async function copyTo(tensor: Tensor, device: string): Promise<Tensor> {
  const detached = tensor.detach();
  try {
    return await detached.to(device);
  } finally {
    detached.dispose();
  }
}

/** The row counts of `size` rows split over `parts` replicas: as even as possible, the first ones one larger. */
function shardSizes(size: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(size / parts) + (i < size % parts ? 1 : 0));
}

/**
 * Replicas of a model on several backends, trained on slices of each batch (PyTorch's
 * DistributedDataParallel, on one machine): `forwardBackward` splits the batch along dim 0, runs each
 * replica's loss on its slice — weighted by its share of the rows, so the sum is the whole batch's mean —
 * backward, and the all-reduce. Give each replica its own optimizer and step them all.
 * @example
 * registerBackend(createCpuPlugin({ name: 'cpu-1' }));
 * const parallel = await DataParallel.create(() => new MLP({ sizes: [784, 256, 10] }), ['cpu', 'cpu-1']);
 * const optimizers = parallel.replicas.map((replica) => new SGD(replica.parameters(), { lr: 0.1 }));
 * const loss = await parallel.forwardBackward(x, y, (model, input, target) => F.crossEntropy(model.forward(input), target));
 * for (const optimizer of optimizers) optimizer.step();
 */
export class DataParallel<M extends Module> {
  private constructor(
    /** One model per device, replica i on `devices[i]`. */
    readonly replicas: M[],
    readonly devices: string[],
  ) {}

  /**
   * Build one replica per device with `factory` and give every replica the first one's parameters and buffers.
   * @example
   * const parallel = await DataParallel.create(() => new GPT(config), ['cpu', 'cpu-1']);
   */
  static async create<M extends Module>(factory: () => M, devices: readonly string[]): Promise<DataParallel<M>> {
    if (!Array.isArray(devices) || devices.length === 0) throw new ValueError('DataParallel.create: expected a non-empty list of devices');
    const replicas: M[] = [];
    for (const device of devices) {
      const replica = factory();
      await replica.to(device);
      replicas.push(replica);
    }
    const parallel = new DataParallel(replicas, [...devices]);
    await parallel.syncParameters();
    return parallel;
  }

  /** The first replica (the one to evaluate, save or generate with). @example parallel.module.stateDict() */
  get module(): M {
    return this.replicas[0];
  }

  /**
   * Copy the first replica's parameters and buffers into the others (after loading weights into it).
   * @example
   * parallel.module.loadStateDict(weights);
   * await parallel.syncParameters();
   */
  async syncParameters(): Promise<void> {
    const source = [...this.module.parameters(), ...this.module.buffers()];
    for (const replica of this.replicas.slice(1)) {
      const target = [...replica.parameters(), ...replica.buffers()];
      if (target.length !== source.length) throw new ValueError('DataParallel: the replicas do not share one architecture (different parameter counts)');
      for (const [i, tensor] of target.entries()) {
        const copy = await copyTo(source[i], tensor.device);
        noGrad(() => tensor.assign(copy));
        copy.dispose();
      }
    }
  }

  /**
   * Split the batch along dim 0 over the replicas, compute each slice's loss with `computeLoss(replica,
   * input, target)` on its replica's device, backward (weighted by the slice's share of the rows), and
   * all-reduce the gradients: afterwards every replica holds the gradient of the whole batch's mean loss.
   * Clears the replicas' old gradients first. Resolves to the batch's mean loss.
   * @example
   * const loss = await parallel.forwardBackward(x, y, (model, input, target) => F.crossEntropy(model.forward(input), target));
   */
  async forwardBackward(input: Tensor, target: Tensor, computeLoss: (model: M, input: Tensor, target: Tensor) => Tensor): Promise<number> {
    const rows = input.shape[0];
    if (input.ndim === 0 || target.ndim === 0 || target.shape[0] !== rows) {
      throw new ValueError(`DataParallel.forwardBackward: input [${input.shape.join(', ')}] and target [${target.shape.join(', ')}] must share their first (batch) dim`);
    }
    const sizes = shardSizes(rows, this.replicas.length).filter((size) => size > 0);
    const inputs = split(input, sizes, 0);
    const targets = split(target, sizes, 0);
    let total = 0;
    try {
      for (const [i, size] of sizes.entries()) {
        const replica = this.replicas[i];
        replica.zeroGrad();
        const device = this.devices[i];
        const x = inputs[i].device === device ? inputs[i] : await inputs[i].to(device);
        const y = targets[i].device === device ? targets[i] : await targets[i].to(device);
        const loss = tidy(() => {
          const value = computeLoss(replica, x, y);
          value.mul(size / rows).backward();
          return value.detach();
        });
        total += (await loss.item()) * (size / rows);
        loss.dispose();
        if (x !== inputs[i]) x.dispose();
        if (y !== targets[i]) y.dispose();
      }
      for (const replica of this.replicas.slice(sizes.length)) replica.zeroGrad();
    } finally {
      for (const t of [...inputs, ...targets]) t.dispose();
    }
    await allReduceGradients(this.replicas, { op: 'sum' });
    return total;
  }
}
