// Checks the TensorFlow.js adapters against plain loops (no timing here: that is the benchmark's job).
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeDifference, normalData } from '../src/harness';
import type { Side } from '../src/side';
import { createTfjsSides } from '../src/tfjs-side';
import { expectTrainsLikeReference, referenceMatmul, referenceSoftmax, transposedValues } from './reference-side';

let sides: Side[] = [];

beforeAll(async () => {
  const created = await createTfjsSides(['cpu', 'wasm']);
  for (const side of created) if ('unavailable' in side) throw new Error(side.unavailable);
  sides = created as Side[];
});

describe.each(['tfjs-cpu', 'tfjs-wasm'])('%s side', (name) => {
  const side = (): Side => sides.find((candidate) => candidate.name === name)!;

  it('loads offline and describes itself', async () => {
    await side().activate();
    expect(side().description).toMatch(/4\.22\.0/);
  });

  it('multiplies by transposed operands like plain loops (the transposed-operand and MLP-gradient cases)', async () => {
    const before = side().liveTensors();
    const a = normalData(5 * 6, 3); // stored [5, 6]: Aᵀ is [6, 5]
    const b = normalData(4 * 5, 4); // stored [4, 5]: Bᵀ is [5, 4]
    const ha = side().fromArray(a, [5, 6]);
    const hb = side().fromArray(b, [4, 5]);
    const product = side().matmul(ha, hb, true, true);
    const expected = referenceMatmul(transposedValues(a, 5, 6), transposedValues(b, 4, 5), 6, 5, 4);
    expect(maxRelativeDifference(await side().read(product), expected)).toBeLessThan(1e-5);
    for (const handle of [ha, hb, product]) side().dispose(handle);
    expect(side().liveTensors()).toBe(before);
  });

  it('computes matmul, add and softmax like plain loops, and disposes what it made', async () => {
    await side().activate();
    const before = side().liveTensors();
    const a = normalData(6 * 5, 1);
    const b = normalData(5 * 4, 2);
    const ha = side().fromArray(a, [6, 5]);
    const hb = side().fromArray(b, [5, 4]);
    const product = side().matmul(ha, hb);
    expect(maxRelativeDifference(await side().read(product), referenceMatmul(a, b, 6, 5, 4))).toBeLessThan(1e-5);
    const sum = side().add(ha, ha);
    expect(await side().read(sum)).toEqual(a.map((value) => value + value));
    const probabilities = side().softmax(ha);
    expect(maxRelativeDifference(await side().read(probabilities), referenceSoftmax(a, 6, 5))).toBeLessThan(1e-6);
    for (const handle of [ha, hb, product, sum, probabilities]) side().dispose(handle);
    expect(side().liveTensors()).toBe(before);
  });

  for (const fused of [false, true]) {
    it(`trains the ${fused ? 'fused MLP (tf.fused.matMul, optimizer SGD)' : 'MLP'} exactly as the reference step: same losses and updated bias`, async () => {
      await side().activate();
      await expectTrainsLikeReference(side(), { fused });
    });
  }
});
