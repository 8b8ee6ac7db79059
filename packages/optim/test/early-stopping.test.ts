/**
 * EarlyStopping, standalone (step) and as a fit callback, with a tiny fake module over real tensors.
 */
import '@tessera/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ValueError, memory } from '@tessera/core';
import { EarlyStopping, type TrainingContext } from '../src/index';
import { FakeModule } from './fake-module';

/** Feed `values` to step() one by one; return the index at which it said stop (or −1). */
function stopIndex(earlyStopping: EarlyStopping, values: number[]): number {
  return values.findIndex((value) => earlyStopping.step(value));
}

describe('EarlyStopping.step (standalone)', () => {
  it('stops once the value has not improved for more than `patience` epochs', () => {
    const earlyStopping = new EarlyStopping({ patience: 2 });
    expect(stopIndex(earlyStopping, [5, 4, 4.5, 4.2, 3.9, 4, 4.1, 4.3, 3])).toBe(7);
    expect(earlyStopping.bestValue).toBe(3.9);
    expect(earlyStopping.bestEpoch).toBe(4);
    expect(earlyStopping.stoppedEpoch).toBe(7);
  });

  it('with the default patience 0 stops at the first epoch without improvement (Keras’s default)', () => {
    const earlyStopping = new EarlyStopping();
    expect(stopIndex(earlyStopping, [3, 2, 2.5, 1])).toBe(2);
    expect(earlyStopping.stoppedEpoch).toBe(2);
  });

  it('never stops while the value keeps improving', () => {
    const earlyStopping = new EarlyStopping();
    expect(stopIndex(earlyStopping, [5, 4, 3, 2, 1])).toBe(-1);
    expect(earlyStopping.stoppedEpoch).toBeNull();
  });

  it('counts an epoch as an improvement only when it beats the best by more than minDelta', () => {
    const earlyStopping = new EarlyStopping({ minDelta: 0.1, patience: 5 });
    stopIndex(earlyStopping, [1, 0.95, 0.85, 0.89]);
    expect(earlyStopping.bestEpoch).toBe(2);
    expect(earlyStopping.bestValue).toBe(0.85);
    expect(earlyStopping.wait).toBe(1);
  });

  it("mode 'max' watches for increases (an accuracy)", () => {
    const earlyStopping = new EarlyStopping({ mode: 'max', monitor: 'val_accuracy', patience: 1 });
    expect(stopIndex(earlyStopping, [0.5, 0.7, 0.69, 0.71, 0.7, 0.6])).toBe(5);
    expect(earlyStopping.bestValue).toBe(0.71);
    expect(earlyStopping.bestEpoch).toBe(3);
  });

  it('a NaN value counts as no improvement', () => {
    const earlyStopping = new EarlyStopping({ patience: 1 });
    expect(stopIndex(earlyStopping, [1, NaN, NaN])).toBe(2);
  });

  it('with restoreBestWeights and a model, puts the best epoch’s weights back on stopping', async () => {
    const model = new FakeModule({ weight: [0, 0], bias: [0] });
    const earlyStopping = new EarlyStopping({ patience: 1, restoreBestWeights: true });
    const losses = [3, 1, 2, 2.5];
    let stoppedAt = -1;
    for (let epoch = 0; epoch < losses.length; epoch++) {
      model.set(epoch + 10); // "training" changes the weights
      if (earlyStopping.step(losses[epoch], model)) {
        stoppedAt = epoch;
        break;
      }
    }
    expect(stoppedAt).toBe(3);
    expect(await model.values()).toEqual({ weight: [11, 11], bias: [11] });
    earlyStopping.dispose();
    model.dispose();
  });
});

describe('EarlyStopping as a fit callback', () => {
  /** A minimal fit loop as @tessera/nn's fit drives callbacks. */
  async function fitLoop(earlyStopping: EarlyStopping, model: FakeModule, valLosses: number[]): Promise<{ epochs: number; ctx: TrainingContext }> {
    const ctx: TrainingContext = { model, stopTraining: false };
    earlyStopping.onTrainBegin(ctx);
    let epochs = 0;
    for (let epoch = 0; epoch < valLosses.length; epoch++) {
      model.set(epoch);
      epochs += 1;
      const stop = await earlyStopping.onEpochEnd(epoch, { loss: 1, val_loss: valLosses[epoch] }, ctx);
      if (stop || ctx.stopTraining) break;
    }
    earlyStopping.onTrainEnd({}, ctx);
    return { epochs, ctx };
  }

  it('returns true and sets ctx.stopTraining to stop; restores the best weights and frees its copies', async () => {
    const model = new FakeModule({ weight: [0, 0, 0] });
    const before = memory().tensors;
    const earlyStopping = new EarlyStopping({ patience: 2, restoreBestWeights: true });
    const { epochs, ctx } = await fitLoop(earlyStopping, model, [5, 3, 4, 4, 4, 1]);
    expect(epochs).toBe(5);
    expect(ctx.stopTraining).toBe(true);
    expect(earlyStopping.stoppedEpoch).toBe(4);
    expect(earlyStopping.bestEpoch).toBe(1);
    expect(await model.values()).toEqual({ weight: [1, 1, 1] });
    expect(memory().tensors).toBe(before);
    model.dispose();
  });

  it('restores the best weights when training ends without stopping early', async () => {
    const model = new FakeModule({ weight: [0] });
    const earlyStopping = new EarlyStopping({ patience: 10, restoreBestWeights: true });
    await fitLoop(earlyStopping, model, [5, 2, 3]);
    expect(earlyStopping.stoppedEpoch).toBeNull();
    expect(await model.values()).toEqual({ weight: [1] });
    model.dispose();
  });

  it('does not reload when the last epoch was the best', async () => {
    const model = new FakeModule({ weight: [0] });
    const earlyStopping = new EarlyStopping({ patience: 10, restoreBestWeights: true });
    await fitLoop(earlyStopping, model, [5, 4, 3]);
    expect(model.loads).toBe(0);
    expect(await model.values()).toEqual({ weight: [2] });
    model.dispose();
  });

  it('keeps one copy of the weights, updated in place on each improvement', async () => {
    const model = new FakeModule({ weight: [0, 0], bias: [0] });
    const earlyStopping = new EarlyStopping({ restoreBestWeights: true });
    earlyStopping.step(10, model);
    const withCopies = memory().tensors;
    for (let t = 0; t < 5; t++) earlyStopping.step(9 - t, model);
    expect(memory().tensors).toBe(withCopies);
    earlyStopping.dispose();
    expect(memory().tensors).toBe(withCopies - 2);
    model.dispose();
  });

  it('onTrainBegin starts afresh, so one instance serves several fits', async () => {
    const model = new FakeModule({ weight: [0] });
    const earlyStopping = new EarlyStopping();
    await fitLoop(earlyStopping, model, [1, 2]);
    expect(earlyStopping.stoppedEpoch).toBe(1);
    const { epochs } = await fitLoop(earlyStopping, model, [5, 4, 3]);
    expect(epochs).toBe(3);
    expect(earlyStopping.stoppedEpoch).toBeNull();
    expect(earlyStopping.bestValue).toBe(3);
    model.dispose();
  });

  it('names the missing log key and those available', () => {
    const earlyStopping = new EarlyStopping();
    expect(() => earlyStopping.onEpochEnd(0, { loss: 1, accuracy: 0.5 })).toThrow(
      new ValueError("EarlyStopping: the epoch logs have no 'val_loss' (available: loss, accuracy); give fit validation data or choose another monitor"),
    );
  });
});

describe('bad options', () => {
  it('name the option and what was expected', () => {
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(new ValueError('EarlyStopping: invalid patience -1; expected an integer ≥ 0'));
    expect(() => new EarlyStopping({ minDelta: -0.1 })).toThrow(/EarlyStopping: invalid minDelta -0.1; expected a number ≥ 0/);
    expect(() => new EarlyStopping({ mode: 'avg' as 'min' })).toThrow(/EarlyStopping: invalid mode 'avg'; expected one of 'min', 'max'/);
    expect(() => new EarlyStopping({ monitor: '' })).toThrow(/EarlyStopping: invalid monitor ''/);
    expect(() => new EarlyStopping().step('1' as unknown as number)).toThrow(/expected the monitored value as a number, got '1'/);
  });
});
