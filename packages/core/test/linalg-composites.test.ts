import { describe, expect, it } from 'vitest';
import { registerBackend, setBackend, randn, linalg, manualSeed, memory, tidy, BACKEND_API_VERSION, type Backend, type Tensor } from '../src/index';
import { ReferenceBackend, referencePlugin } from '../src/testing';
import { expectAllClose, values } from './helpers';

/** A backend that cannot read synchronously and counts every read: linalg must need neither. */
class AsyncOnlyBackend extends ReferenceBackend {
  reads = 0;
  override readonly capabilities = { ...new ReferenceBackend().capabilities, syncRead: false };
  override readSync(): never {
    throw new Error('asyncOnly: linalg must not read synchronously');
  }
  override read(...args: Parameters<ReferenceBackend['read']>) {
    this.reads++;
    return Promise.resolve(super.readSync(...args));
  }
}
let asyncOnly: AsyncOnlyBackend | null = null;
registerBackend(referencePlugin);
registerBackend({
  name: 'asyncOnly',
  apiVersion: BACKEND_API_VERSION,
  priority: -3,
  create: () => {
    asyncOnly = new AsyncOnlyBackend();
    Object.defineProperty(asyncOnly, 'name', { value: 'asyncOnly' });
    return asyncOnly as unknown as Backend;
  },
});
await setBackend('asyncOnly');
await setBackend('reference');
manualSeed(19);

/** Every linalg function once, on one device; returns all outputs. */
function everything(A: Tensor, b: Tensor): Tensor[] {
  const symmetric = A.add(A.transpose(-2, -1));
  const { eigenvalues, eigenvectors } = linalg.eigh(symmetric);
  const { U, S, Vh } = linalg.svd(A);
  const { Q, R } = linalg.qr(A);
  const { sign, logabsdet } = linalg.slogdet(A);
  const spd = A.matmul(A.transpose(-2, -1)).add(symmetric.mul(0).add(1).tril().triu().mul(4));
  return [
    eigenvalues, eigenvectors.square(), S, U.matmul(Vh), Q, R, linalg.solve(A, b), linalg.inv(A), linalg.det(A), sign, logabsdet,
    linalg.cholesky(spd), linalg.matrixNorm(A, 'nuc'), linalg.norm(A), linalg.svdvals(A), linalg.eigvalsh(symmetric),
  ];
}

describe('linalg is made of core ops only', () => {
  it('runs on a backend without synchronous reads, reads nothing back, and agrees with the reference', async () => {
    const A = randn([2, 4, 4], { dtype: 'float64' });
    const b = randn([2, 4], { dtype: 'float64' });
    const expected = tidy(() => everything(A, b));
    const [A2, b2] = await Promise.all([A.to('asyncOnly'), b.to('asyncOnly')]);
    const readsBefore = asyncOnly!.reads;
    const actual = tidy(() => everything(A2, b2));
    expect(asyncOnly!.reads).toBe(readsBefore);
    for (const [i, output] of actual.entries()) {
      expect(output.device).toBe('asyncOnly');
      expectAllClose(await values(output), await values(expected[i]), 1e-12);
    }
  });

  it('frees every intermediate: only the outputs stay alive, with or without gradients', async () => {
    const A = randn([3, 3], { dtype: 'float64', requiresGrad: true });
    const b = randn([3], { dtype: 'float64' });
    const before = memory().tensors;
    const outputs = tidy(() => everything(A, b));
    const loss = tidy(() => outputs.reduce((sum, output) => sum.add(output.sum()), A.sum().mul(0)));
    loss.backward();
    loss.dispose();
    for (const output of outputs) output.dispose();
    A.grad!.dispose();
    expect(memory().tensors).toBe(before);
    const withoutGrad = tidy(() => everything(A.detach(), b));
    expect(memory().tensors).toBe(before + withoutGrad.length);
  });
});
