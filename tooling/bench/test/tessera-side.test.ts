// Checks the Tessera adapter against plain loops through the public API (needs core and
// backend-cpu built; turbo's test task builds them first). No timing here.
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeDifference, normalData } from '../src/harness';
import type { Side } from '../src/side';
import { createTesseraSide } from '../src/tessera-side';
import { expectTrainsLikeReference, referenceMatmul, referenceSoftmax, transposedValues } from './reference-side';

let side: Side;

beforeAll(async () => {
  const created = await createTesseraSide();
  if ('unavailable' in created) throw new Error(`tessera-cpu unavailable: ${created.unavailable}`);
  side = created;
});

describe('tessera-cpu side', () => {
  it('describes itself with the core version', () => {
    expect(side.description).toMatch(/^@tessera\/core \d+\.\d+\.\d+, cpu backend/);
  });

  it('multiplies by transposed operands like plain loops (the transposed-operand and MLP-gradient cases)', async () => {
    const before = side.liveTensors();
    const a = normalData(5 * 6, 3); // stored [5, 6]: Aᵀ is [6, 5]
    const b = normalData(4 * 5, 4); // stored [4, 5]: Bᵀ is [5, 4]
    const ha = side.fromArray(a, [5, 6]);
    const hb = side.fromArray(b, [4, 5]);
    const product = side.matmul(ha, hb, true, true);
    const expected = referenceMatmul(transposedValues(a, 5, 6), transposedValues(b, 4, 5), 6, 5, 4);
    expect(maxRelativeDifference(await side.read(product), expected)).toBeLessThan(1e-5);
    for (const handle of [ha, hb, product]) side.dispose(handle);
    expect(side.liveTensors()).toBe(before);
  });

  it('computes matmul, add and softmax like plain loops, and disposes what it made', async () => {
    const before = side.liveTensors();
    const a = normalData(6 * 5, 1);
    const b = normalData(5 * 4, 2);
    const ha = side.fromArray(a, [6, 5]);
    const hb = side.fromArray(b, [5, 4]);
    const product = side.matmul(ha, hb);
    expect(maxRelativeDifference(await side.read(product), referenceMatmul(a, b, 6, 5, 4))).toBeLessThan(1e-5);
    const sum = side.add(ha, ha);
    expect(await side.read(sum)).toEqual(a.map((value) => value + value));
    const probabilities = side.softmax(ha);
    expect(maxRelativeDifference(await side.read(probabilities), referenceSoftmax(a, 6, 5))).toBeLessThan(1e-6);
    for (const handle of [ha, hb, product, sum, probabilities]) side.dispose(handle);
    expect(side.liveTensors()).toBe(before);
  });

  for (const fused of [false, true]) {
    it(`trains the ${fused ? 'fused MLP (fused matmul + bias + relu, optimizer SGD)' : 'MLP'} exactly as the reference step, in place, without leaking tensors`, async () => {
      await expectTrainsLikeReference(side, { fused });
    });
  }
});
