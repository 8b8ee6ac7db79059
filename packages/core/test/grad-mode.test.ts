import { describe, expect, it } from 'vitest';
import {
  registerBackend, setBackend, tensor, noGrad, enableGrad, isGradEnabled, noGradGuard, enableGradGuard, noGradAsync, enableGradAsync,
  ValueError,
} from '../src/index';
import { referencePlugin } from '../src/testing';

registerBackend(referencePlugin);
await setBackend('reference');

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('noGrad and enableGrad', () => {
  it('noGrad refuses async functions before running them', () => {
    let ran = false;
    expect(() => noGrad((async () => { ran = true; }) as never)).toThrow(ValueError);
    expect(() => noGrad((async () => 1) as never)).toThrow(/async function.*noGradAsync/);
    expect(ran).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });

  it('noGrad refuses functions that return a Promise, and leaves the mode as it was', async () => {
    expect(() => noGrad(() => tick())).toThrow(/returned a Promise.*noGradGuard/);
    expect(isGradEnabled()).toBe(true);
    // A rejected promise it could not hand back does not surface as an unhandled rejection.
    expect(() => noGrad(() => Promise.reject(new Error('later')))).toThrow(ValueError);
    await tick();
  });

  it('enableGrad refuses async functions too', () => {
    expect(() => noGrad(() => enableGrad((async () => 1) as never))).toThrow(/enableGrad: fn is an async function/);
    expect(isGradEnabled()).toBe(true);
  });

  it('noGrad and enableGrad nest for synchronous code', () => {
    const x = tensor([1], { requiresGrad: true });
    noGrad(() => {
      expect(x.mul(2).requiresGrad).toBe(false);
      expect(enableGrad(() => x.mul(2)).requiresGrad).toBe(true);
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });
});

describe('grad mode across await', () => {
  it('noGradAsync keeps recording off after every await, and restores it when the promise settles', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const recorded = await noGradAsync(async () => {
      const before = x.mul(2).requiresGrad;
      await tick();
      const after = x.mul(2).requiresGrad;
      await tick();
      return [before, after, isGradEnabled()];
    });
    expect(recorded).toEqual([false, false, false]);
    expect(isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('noGradAsync restores the mode when fn rejects', async () => {
    await expect(noGradAsync(async () => {
      await tick();
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('`using noGradGuard()` holds the mode across await until the block ends', async () => {
    const x = tensor([3], { requiresGrad: true });
    {
      using guard = noGradGuard();
      await tick();
      expect(x.exp().requiresGrad).toBe(false);
      expect(guard.isActive).toBe(true);
    }
    expect(isGradEnabled()).toBe(true);
  });

  it('enableGradGuard and enableGradAsync turn recording back on inside noGrad', async () => {
    const x = tensor([3], { requiresGrad: true });
    using _off = noGradGuard();
    const y = await enableGradAsync(async () => {
      await tick();
      return x.mul(2);
    });
    expect(y.requiresGrad).toBe(true);
    {
      using _on = enableGradGuard();
      expect(isGradEnabled()).toBe(true);
    }
    expect(isGradEnabled()).toBe(false);
  });

  it('guards of interleaved tasks may end in any order: the newest active guard decides', () => {
    const off = noGradGuard();
    const on = enableGradGuard();
    expect(isGradEnabled()).toBe(true);
    off.release(); // the older guard ends first
    expect(isGradEnabled()).toBe(true);
    on.release();
    expect(isGradEnabled()).toBe(true);
    on.release(); // idempotent

    const a = noGradGuard();
    const b = noGradGuard();
    b.release();
    expect(isGradEnabled()).toBe(false);
    a.release();
    expect(isGradEnabled()).toBe(true);
  });

  it('concurrent noGradAsync calls restore recording only after the last one settles', async () => {
    let releaseFirst!: () => void;
    const first = noGradAsync(() => new Promise<void>((resolve) => { releaseFirst = resolve; }));
    const second = noGradAsync(async () => tick());
    await second;
    expect(isGradEnabled()).toBe(false); // the first is still running
    releaseFirst();
    await first;
    expect(isGradEnabled()).toBe(true);
  });
});
