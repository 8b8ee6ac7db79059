import { tidy } from '@tessera/core';

/**
 * Wraps a synchronous test body in `tidy`, so every tensor the test makes is freed when it ends
 * (tests stay free of leak warnings without a dispose after every assertion).
 * @example
 * it('adds', tidied(() => { expect(tensor([1]).add(1).itemSync()).toBe(2); }));
 */
export function tidied(body: () => void): () => void {
  return () => {
    tidy(() => {
      body();
    });
  };
}
