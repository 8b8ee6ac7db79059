import '@tessera/backend-cpu';
import { readFileSync } from 'node:fs';
import { loadSafetensors, manualSeed, noGrad, randint, randn, tensor, tidy, ValueError, type Tensor } from '@tessera/core';
import { SGD } from '@tessera/optim';
import { describe, expect, it } from 'vitest';
import { Conv2d, F, Linear, MLP, prune, type Module } from '../src/index';

/** Weights and torch.nn.utils.prune masks from PyTorch 1.13 (fixtures/make_prune_fixture.py). */
const fixture = loadSafetensors(new Uint8Array(readFileSync(new URL('./fixtures/prune.safetensors', import.meta.url))));

function linearFrom(weight: Tensor): Linear {
  const layer = new Linear(weight.shape[1], weight.shape[0]);
  noGrad(() => layer.weight.assign(weight));
  return layer;
}

function convFrom(weight: Tensor): Conv2d {
  const layer = new Conv2d(weight.shape[1], weight.shape[0], weight.shape[2]);
  noGrad(() => layer.weight.assign(weight));
  return layer;
}

async function maskOf(module: Module): Promise<number[]> {
  const mask = module.namedBuffers('', false).find(([name]) => name === 'weight_mask')![1];
  return Array.from(await mask.data());
}

async function expected(name: string): Promise<number[]> {
  return Array.from(await fixture[name].data());
}

const zeros = (values: ArrayLike<number>) => Array.from(values).filter((v) => v === 0).length;

describe('prune: masks equal to torch.nn.utils.prune (PyTorch 1.13)', () => {
  it('l1Unstructured: a fraction, a count, a half that rounds to even, importance scores', async () => {
    expect(await maskOf(await prune.l1Unstructured(linearFrom(fixture.fc1), 'weight', 0.5))).toEqual(await expected('l1_fraction'));
    expect(await maskOf(await prune.l1Unstructured(linearFrom(fixture.fc1), 'weight', 7))).toEqual(await expected('l1_count'));
    const half = await maskOf(await prune.l1Unstructured(linearFrom(fixture.fc2), 'weight', 0.0625)); // 0.0625 · 40 = 2.5 → 2
    expect(half).toEqual(await expected('l1_half'));
    expect(zeros(half)).toBe(2);
    const scored = await prune.l1Unstructured(linearFrom(fixture.fc1), 'weight', 0.4, { importanceScores: fixture.scores });
    expect(await maskOf(scored)).toEqual(await expected('l1_importance'));
  });

  it('pruning twice acts on what is left (PyTorch\'s PruningContainer), and remove keeps the result', async () => {
    const layer = linearFrom(fixture.fc1);
    await prune.l1Unstructured(layer, 'weight', 0.3);
    await prune.l1Unstructured(layer, 'weight', 0.5);
    expect(await maskOf(layer)).toEqual(await expected('l1_iterative'));
    expect(prune.methodsOf(layer, 'weight')).toEqual(['l1Unstructured', 'l1Unstructured']);
    prune.remove(layer, 'weight');
    expect(Array.from(await layer.weight.data())).toEqual(await expected('l1_iterative_removed'));
  });

  it('lnStructured: L2 rows, L1 and L∞ conv channels, twice, and after an unstructured prune', async () => {
    expect(await maskOf(await prune.lnStructured(linearFrom(fixture.fc1), 'weight', 0.5, 2, 0))).toEqual(await expected('ln2_dim0'));
    expect(await maskOf(await prune.lnStructured(convFrom(fixture.conv), 'weight', 2, 1, 1))).toEqual(await expected('ln1_conv_dim1'));
    expect(await maskOf(await prune.lnStructured(convFrom(fixture.conv), 'weight', 0.34, Infinity, -1))).toEqual(await expected('lninf_conv_dimlast'));
    const twice = await prune.lnStructured(linearFrom(fixture.fc1), 'weight', 0.25, 2, 0);
    await prune.lnStructured(twice, 'weight', 0.5, 1, 1);
    expect(await maskOf(twice)).toEqual(await expected('ln_iterative'));
    const mixed = await prune.l1Unstructured(linearFrom(fixture.fc1), 'weight', 0.2);
    await prune.lnStructured(mixed, 'weight', 1, 2, 0);
    expect(await maskOf(mixed)).toEqual(await expected('l1_then_ln'));
  });

  it('globalUnstructured ranks all the tensors together, once and again', async () => {
    const layers = [linearFrom(fixture.fc1), linearFrom(fixture.fc2), convFrom(fixture.conv)];
    const parameters = layers.map((layer) => [layer, 'weight'] as const);
    await prune.globalUnstructured(parameters, { amount: 0.6 });
    for (const [i, name] of ['fc1', 'fc2', 'conv'].entries()) expect(await maskOf(layers[i])).toEqual(await expected(`global_${name}`));
    await prune.globalUnstructured(parameters, { pruningMethod: 'l1Unstructured', amount: 0.5 });
    for (const [i, name] of ['fc1', 'fc2', 'conv'].entries()) expect(await maskOf(layers[i])).toEqual(await expected(`global2_${name}`));
  });
});

describe('prune: mechanics', () => {
  it('re-parametrizes as PyTorch: weight_orig (the same parameter) and weight_mask; the weight is their product', async () => {
    manualSeed(0);
    const layer = new Linear(6, 4);
    const original = layer.weight;
    await prune.l1Unstructured(layer, 'weight', 0.5);
    expect(prune.isPruned(layer)).toBe(true);
    expect(layer.namedParameters().map(([name]) => name).sort()).toEqual(['bias', 'weight_orig']);
    expect(layer.namedParameters().find(([name]) => name === 'weight_orig')![1]).toBe(original);
    expect(layer.namedBuffers().map(([name]) => name)).toEqual(['weight_mask']);
    expect(Object.keys(layer.stateDict()).sort()).toEqual(['bias', 'weight_mask', 'weight_orig']);
    const product = await tidy(() => layer.namedBuffers()[0][1].mul(original)).data();
    expect(Array.from(await layer.weight.data())).toEqual(Array.from(product));
    expect(() => prune.remove(new Linear(2, 2), 'weight')).toThrow(/has to be pruned before pruning can be removed/);
    expect(prune.isPruned(new MLP({ sizes: [2, 3, 1] }))).toBe(false);
  });

  it('exact sparsity per layer and globally on an MLP', async () => {
    manualSeed(1);
    const model = new MLP({ sizes: [20, 30, 10] });
    const [first, second] = model.modules().filter((m): m is Linear => m instanceof Linear);
    await prune.l1Unstructured(first, 'weight', 0.8);
    expect(zeros(await first.weight.data())).toBe(480); // round(0.8 · 600)
    await prune.globalUnstructured([[first, 'weight'], [second, 'weight']], { amount: 0.5 });
    const total = zeros(await first.weight.data()) + zeros(await second.weight.data());
    expect(total).toBe(480 + Math.round(0.5 * (600 - 480 + 300)));
  });

  it('pruned entries stay exactly zero through fine-tuning (SGD with momentum and weight decay); remove makes it permanent', async () => {
    manualSeed(2);
    const model = new MLP({ sizes: [8, 16, 3] });
    const [first] = model.modules().filter((m): m is Linear => m instanceof Linear);
    await prune.l1Unstructured(first, 'weight', 0.75);
    const mask = await maskOf(first);
    const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    const x = randn([32, 8]);
    const y = randint(0, 3, [32], { dtype: 'int32' });
    const before = Array.from(await first.weight.data());
    for (let step = 0; step < 5; step++) {
      optimizer.zeroGrad();
      tidy(() => F.crossEntropy(model.forward(x), y).backward());
      optimizer.step();
      tidy(() => model.forward(x)); // the pre-hook recomputes the weight from the updated original
      const weight = Array.from(await first.weight.data());
      // 0 · w is +0 or −0 (as in PyTorch): equal to zero either way.
      expect(weight.filter((w, i) => mask[i] === 0 && w !== 0)).toEqual([]);
      expect(weight.some((w, i) => mask[i] === 1 && w !== before[i])).toBe(true); // the rest trains
    }
    const orig = first.namedParameters().find(([name]) => name === 'weight_orig')![1];
    prune.remove(first, 'weight');
    expect(first.weight).toBe(orig); // the same parameter object, so the optimizer still updates it
    expect(prune.isPruned(model)).toBe(false);
    expect(Object.keys(first.stateDict()).sort()).toEqual(['bias', 'weight']);
    const removed = Array.from(await first.weight.data());
    expect(removed.filter((w, i) => mask[i] === 0 && w !== 0)).toEqual([]);
  });

  it('randomUnstructured prunes exactly the amount, reproducibly with manualSeed', async () => {
    const masks: number[][] = [];
    for (let run = 0; run < 2; run++) {
      manualSeed(3);
      const layer = new Linear(10, 10);
      manualSeed(4);
      await prune.randomUnstructured(layer, 'weight', 0.3);
      await prune.randomUnstructured(layer, 'weight', 10);
      masks.push(await maskOf(layer));
    }
    expect(zeros(masks[0])).toBe(40);
    expect(masks[1]).toEqual(masks[0]);
  });

  it('ties go to the lower index; errors name the amount, the dims and the parameter', async () => {
    const layer = new Linear(4, 1, { bias: false });
    noGrad(() => layer.weight.assign(tensor([[1, -1, 1, 0.5]])));
    await prune.l1Unstructured(layer, 'weight', 2);
    expect(await maskOf(layer)).toEqual([0, 1, 1, 0]);
    await expect(prune.l1Unstructured(new Linear(2, 2), 'weight', 5)).rejects.toThrow(/amount=5 should be smaller than the number of parameters to prune=4/);
    await expect(prune.l1Unstructured(new Linear(2, 2), 'weight', 1.5)).rejects.toThrow(ValueError);
    await expect(prune.lnStructured(new Linear(2, 2), 'bias', 1, 2, 0)).rejects.toThrow(/multidimensional/);
    await expect(prune.l1Unstructured(new Linear(2, 2), 'kernel', 1)).rejects.toThrow(/has no parameter 'kernel'/);
    await prune.l1Unstructured(new Linear(2, 2), 'weight', { fraction: 1 }).then(async (all) => expect(zeros(await all.weight.data())).toBe(4));
  });
});
