/**
 * The optimizer base class: parameter groups, skipping parameters without gradients, zeroGrad, state
 * dicts, flat memory and clear errors for bad input.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { DTypeError, Tensor, ValueError, memory, tensor } from '@tessera/core';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '../src/index';
import { backwardQuadratic, expectClose, expectTrajectory } from './helpers';
import { referenceTrajectory, sgdReference } from './reference';

const W0 = [1.5, -2.0, 0.5, 3.0];
const C = [2.5, 1.0, -1.5, 0.75];

describe('parameter groups', () => {
  it('each group uses its own options, missing ones from the defaults', async () => {
    const a = tensor(W0, { requiresGrad: true });
    const b = tensor(W0, { requiresGrad: true });
    const c = tensor(C);
    const optimizer = new SGD([{ params: [a] }, { params: [b], lr: 0.05, nesterov: true }], { lr: 0.1, momentum: 0.9 });
    expect(optimizer.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9, nesterov: false, dampening: 0 });
    expect(optimizer.paramGroups[1]).toMatchObject({ lr: 0.05, momentum: 0.9, nesterov: true });
    const trajectoryA: number[][] = [];
    const trajectoryB: number[][] = [];
    for (let t = 0; t < 5; t++) {
      optimizer.zeroGrad();
      backwardQuadratic(a, c);
      backwardQuadratic(b, c);
      optimizer.step();
      trajectoryA.push(Array.from(await a.data()));
      trajectoryB.push(Array.from(await b.data()));
    }
    expectTrajectory(trajectoryA, referenceTrajectory(sgdReference({ lr: 0.1, momentum: 0.9 }), W0, C, 5), 1e-6);
    expectTrajectory(trajectoryB, referenceTrajectory(sgdReference({ lr: 0.05, momentum: 0.9, nesterov: true }), W0, C, 5), 1e-6);
    for (const t of [a, b, c]) t.dispose();
    optimizer.dispose();
  });

  it('a changed group lr is used by the next step (as schedules do)', async () => {
    const w = tensor([1], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1 });
    w.grad = tensor([1]);
    optimizer.step();
    optimizer.paramGroups[0].lr = 0.5;
    optimizer.step();
    expectClose(await w.data(), [1 - 0.1 - 0.5], 1e-7);
    w.dispose();
  });

  it('addParamGroup adds a group with the defaults filled in', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const optimizer = new Adam([a], { lr: 0.01 });
    optimizer.addParamGroup({ params: [b], amsgrad: true });
    expect(optimizer.paramGroups[1]).toMatchObject({ lr: 0.01, amsgrad: true, betas: [0.9, 0.999] });
    expect(optimizer.paramGroups[1].params[0]).toBe(b);
    a.dispose();
    b.dispose();
  });

  it('AdamW defaults to weightDecay 0.01, Adam to 0', () => {
    const w = tensor([1], { requiresGrad: true });
    expect(new AdamW([w]).paramGroups[0].weightDecay).toBe(0.01);
    expect(new Adam([w]).paramGroups[0].weightDecay).toBe(0);
    w.dispose();
  });

  it('a group option array (betas) is copied, not shared with the caller', () => {
    const w = tensor([1], { requiresGrad: true });
    const betas: [number, number] = [0.8, 0.9];
    const optimizer = new Adam([w], { betas });
    betas[0] = 0.1;
    expect(optimizer.paramGroups[0].betas).toEqual([0.8, 0.9]);
    w.dispose();
  });
});

describe('step and zeroGrad', () => {
  it('skips parameters whose grad is null, leaving them and their state untouched', async () => {
    const used = tensor([1, 2], { requiresGrad: true });
    const unused = tensor([3, 4], { requiresGrad: true });
    const optimizer = new Adam([used, unused], { lr: 0.1 });
    used.grad = tensor([1, 1]);
    optimizer.step();
    expect(await unused.array()).toEqual([3, 4]);
    expect(await used.array()).not.toEqual([1, 2]);
    expect(Object.keys(optimizer.stateDict().state)).toEqual(['0']);
    for (const t of [used, unused]) t.dispose();
    optimizer.dispose();
  });

  it('zeroGrad() disposes the gradients and sets them to null; zeroGrad(false) fills them with zeros', async () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1 });
    w.grad = tensor([5, 6]);
    optimizer.zeroGrad(false);
    expect(await w.grad.array()).toEqual([0, 0]);
    const grad = w.grad;
    optimizer.zeroGrad();
    expect(w.grad).toBeNull();
    expect(grad.isDisposed).toBe(true);
    w.dispose();
  });

  it('gradients accumulate between zeroGrad calls, as in PyTorch', async () => {
    const w = tensor([1], { requiresGrad: true });
    const c = tensor([0]);
    const optimizer = new SGD([w], { lr: 0.1 });
    backwardQuadratic(w, c);
    backwardQuadratic(w, c);
    optimizer.step();
    expectClose(await w.data(), [1 - 0.1 * 4], 1e-7);
    w.dispose();
    c.dispose();
  });

  const everyOption: [string, (params: Tensor[]) => Optimizer][] = [
    ['SGD', (p) => new SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.1 })],
    ['Adam', (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1, maximize: true })],
    ['AdamW', (p) => new AdamW(p, { lr: 0.01, amsgrad: true })],
    ['RMSprop', (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.1 })],
    ['Adagrad', (p) => new Adagrad(p, { lr: 0.01, lrDecay: 0.1, weightDecay: 0.1 })],
  ];

  it.each(everyOption)('%s keeps memory().tensors flat over many steps and frees its state on dispose()', (_name, make) => {
    const before = memory().tensors;
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const c = tensor([[0, 1], [0, 1]]);
    const optimizer = make([w]);
    optimizer.zeroGrad();
    backwardQuadratic(w, c);
    optimizer.step();
    const afterFirstStep = memory().tensors;
    for (let t = 0; t < 20; t++) {
      optimizer.zeroGrad();
      backwardQuadratic(w, c);
      optimizer.step();
    }
    expect(memory().tensors).toBe(afterFirstStep);
    optimizer.zeroGrad();
    optimizer.dispose();
    w.dispose();
    c.dispose();
    expect(memory().tensors).toBe(before);
  });
});

describe('stateDict and loadStateDict', () => {
  it("has PyTorch's structure: state by parameter position, groups with their options and positions", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const c = tensor([4], { requiresGrad: true });
    const optimizer = new Adam([{ params: [a, b] }, { params: [c], lr: 0.5 }], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    c.grad = tensor([1]);
    optimizer.step();
    const saved = optimizer.stateDict();
    expect(saved.paramGroups).toEqual([
      { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0, 1] },
      { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [2] },
    ]);
    expect(Object.keys(saved.state).sort()).toEqual(['0', '2']);
    expect(saved.state[0].step).toBe(1);
    expect(saved.state[0].expAvg).toBeInstanceOf(Tensor);
    expect((saved.state[0].expAvgSq as Tensor).shape).toEqual([2]);
    for (const t of [a, b, c]) t.dispose();
    optimizer.dispose();
  });

  it.each<[string, (params: Tensor[]) => Optimizer]>([
    ['SGD', (p: Tensor[]) => new SGD(p, { lr: 0.05, momentum: 0.9 })],
    ['Adam', (p: Tensor[]) => new Adam(p, { lr: 0.1, amsgrad: true })],
    ['RMSprop', (p: Tensor[]) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
    ['Adagrad', (p: Tensor[]) => new Adagrad(p, { lr: 0.1, lrDecay: 0.1 })],
  ])('%s resumed from a state dict continues exactly as the uninterrupted run', async (_name, make) => {
    const c = tensor(C);
    const straight = tensor(W0, { requiresGrad: true });
    const straightOptimizer = make([straight]);
    for (let t = 0; t < 6; t++) {
      straightOptimizer.zeroGrad();
      backwardQuadratic(straight, c);
      straightOptimizer.step();
    }

    const resumed = tensor(W0, { requiresGrad: true });
    const first = make([resumed]);
    for (let t = 0; t < 3; t++) {
      first.zeroGrad();
      backwardQuadratic(resumed, c);
      first.step();
    }
    const second = make([resumed]);
    second.paramGroups[0].lr = 123; // overwritten by the loaded options
    second.loadStateDict(first.stateDict());
    first.dispose(); // the loaded state is a copy
    for (let t = 0; t < 3; t++) {
      second.zeroGrad();
      backwardQuadratic(resumed, c);
      second.step();
    }
    expectClose(await resumed.data(), await straight.data(), 1e-7);
    for (const t of [c, straight, resumed]) t.dispose();
    straightOptimizer.dispose();
    second.dispose();
  });

  it('loading its own live state dict works (state is copied before the old one is freed)', async () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad = tensor([1, 1]);
    optimizer.step();
    optimizer.loadStateDict(optimizer.stateDict());
    expect(await (optimizer.stateDict().state[0].momentumBuffer as Tensor).array()).toEqual([1, 1]);
    optimizer.step();
    expectClose(await w.data(), [1 - 0.1 - 0.1 * 1.9, 2 - 0.1 - 0.1 * 1.9], 1e-7);
    w.dispose();
    optimizer.dispose();
  });

  it('casts loaded state tensors to the parameter dtype', () => {
    const w = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9 });
    const buffer = tensor([0.5, 0.5]);
    optimizer.loadStateDict({ state: { 0: { momentumBuffer: buffer } }, paramGroups: [{ ...optimizer.stateDict().paramGroups[0] }] });
    expect((optimizer.stateDict().state[0].momentumBuffer as Tensor).dtype).toBe('float64');
    buffer.dispose();
    w.dispose();
    optimizer.dispose();
  });
});

describe('bad input', () => {
  const w = () => tensor([1, 2], { requiresGrad: true });

  it('a negative learning rate', () => {
    expect(() => new SGD([w()], { lr: -0.1 })).toThrow(new ValueError('SGD: invalid lr -0.1; expected a number ≥ 0'));
    expect(() => new Adam([{ params: [w()], lr: -1 }])).toThrow(/Adam \(parameter group 0\): invalid lr -1/);
    const optimizer = new SGD([w()], { lr: 0.1 });
    optimizer.paramGroups[0].lr = -1;
    expect(() => optimizer.step()).toThrow(/SGD \(parameter group 0\): invalid lr -1; expected a number ≥ 0/);
  });

  it('Nesterov without momentum, or with dampening', () => {
    expect(() => new SGD([w()], { lr: 0.1, nesterov: true })).toThrow(ValueError);
    expect(() => new SGD([w()], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum > 0 and zero dampening \(got momentum 0, dampening 0\)/);
    expect(() => new SGD([w()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/dampening 0.1/);
  });

  it('other out-of-range options', () => {
    expect(() => new Adam([w()], { betas: [1, 0.999] })).toThrow(/Adam: invalid betas\[0\] 1; expected a number ≥ 0 and < 1/);
    expect(() => new Adam([w()], { eps: -1 })).toThrow(/invalid eps -1/);
    expect(() => new RMSprop([w()], { momentum: -0.5 })).toThrow(/RMSprop: invalid momentum -0.5/);
    expect(() => new Adagrad([w()], { lrDecay: -1 })).toThrow(/Adagrad: invalid lrDecay -1/);
    expect(() => new SGD([w()], { lr: NaN })).toThrow(/invalid lr NaN/);
  });

  it('a parameter given twice, in one group or in two', () => {
    const p = w();
    expect(() => new SGD([p, p])).toThrow(/SGD: parameter 1 of group 0 \(tensor #\d+, shape \[2\]\) is given more than once \(twice in this group\)/);
    expect(() => new SGD([{ params: [p] }, { params: [w(), p] }])).toThrow(/parameter 1 of group 1 .* \(it is already in group 0\)/);
    const optimizer = new Adam([p]);
    expect(() => optimizer.addParamGroup({ params: [p] })).toThrow(ValueError);
  });

  it('params that are not tensors', () => {
    expect(() => new SGD([w(), 3 as unknown as Tensor])).toThrow(new ValueError('SGD: parameter 1 of group 0 is 3, not a Tensor'));
    expect(() => new SGD(w() as unknown as Tensor[])).toThrow(/got a single Tensor; wrap it in an array/);
    expect(() => new SGD([])).toThrow(/SGD: got an empty parameter list/);
    expect(() => new SGD(null as unknown as Tensor[])).toThrow(/SGD: params must be a list of tensors or of parameter groups/);
    expect(() => new SGD([w(), { params: [w()] }] as unknown as Tensor[])).toThrow(/mixes tensors and parameter groups/);
    expect(() => new SGD([{ params: [{}] }] as unknown as Tensor[])).toThrow(/parameter 0 of group 0 is an object, not a Tensor/);
  });

  it('integer or non-leaf tensors', () => {
    expect(() => new SGD([tensor([1], { dtype: 'int32' })])).toThrow(DTypeError);
    expect(() => new SGD([tensor([1], { dtype: 'int32' })])).toThrow(/has dtype int32; only floating-point tensors can be optimized/);
    expect(() => new SGD([w().mul(2)])).toThrow(/is not a leaf tensor/);
  });

  it('loadStateDict with mismatched groups or state', () => {
    const a = w();
    const b = tensor([3], { requiresGrad: true });
    const optimizer = new SGD([a, b], { lr: 0.1, momentum: 0.9 });
    const other = new SGD([{ params: [w()] }, { params: [w()] }], { lr: 0.1 });
    expect(() => optimizer.loadStateDict(other.stateDict())).toThrow(
      new ValueError('SGD.loadStateDict: the state dict has 2 parameter group(s) but this optimizer has 1'),
    );
    const oneParam = new SGD([w()], { lr: 0.1 });
    expect(() => optimizer.loadStateDict(oneParam.stateDict())).toThrow(
      new ValueError('SGD.loadStateDict: parameter group 0 has 1 parameter(s) in the state dict but 2 in this optimizer'),
    );
    const groups = optimizer.stateDict().paramGroups;
    const wrongShape = tensor([1, 2, 3]);
    expect(() => optimizer.loadStateDict({ state: { 1: { momentumBuffer: wrongShape } }, paramGroups: groups })).toThrow(
      /state 'momentumBuffer' of parameter 1 has shape \[3\] but the parameter has shape \[1\]/,
    );
    expect(() => optimizer.loadStateDict({ state: { 7: { step: 1 } }, paramGroups: groups })).toThrow(/state for parameter 7, which is in none of its parameter groups/);
    expect(() => optimizer.loadStateDict({ state: {}, paramGroups: [{ ...groups[0], lr: -1 }] })).toThrow(/invalid lr -1/);
    expect(() => optimizer.loadStateDict({} as never)).toThrow(/expected \{ state, paramGroups \}/);
  });
});
