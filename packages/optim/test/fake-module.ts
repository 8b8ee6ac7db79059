/**
 * A tiny stand-in for an nn Module: named tensors with `stateDict()` (sharing storage) and
 * `loadStateDict()` (copying values in with assign), as the cross-package contract describes.
 */
import { noGrad, tensor, type Tensor } from '@tessera/core';

export class FakeModule {
  readonly tensors: Record<string, Tensor>;
  loads = 0;

  constructor(values: Record<string, number[]>) {
    this.tensors = Object.fromEntries(Object.entries(values).map(([key, data]) => [key, tensor(data, { requiresGrad: true })]));
  }

  stateDict(): Record<string, Tensor> {
    return { ...this.tensors };
  }

  loadStateDict(stateDict: Record<string, Tensor>): { missingKeys: string[]; unexpectedKeys: string[] } {
    this.loads += 1;
    noGrad(() => {
      for (const [key, value] of Object.entries(stateDict)) this.tensors[key].assign(value);
    });
    return { missingKeys: [], unexpectedKeys: [] };
  }

  /** Overwrite every tensor with `value` (as a training step would change them). */
  set(value: number): void {
    noGrad(() => Object.values(this.tensors).forEach((t) => t.assign(value)));
  }

  async values(): Promise<Record<string, number[]>> {
    const entries = await Promise.all(Object.entries(this.tensors).map(async ([key, t]) => [key, Array.from(await t.data())] as const));
    return Object.fromEntries(entries);
  }

  dispose(): void {
    Object.values(this.tensors).forEach((t) => t.dispose());
  }
}
