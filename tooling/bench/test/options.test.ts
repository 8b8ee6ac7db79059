import { describe, expect, it } from 'vitest';
import { isSelected, parseOptions } from '../src/options';

describe('parseOptions', () => {
  it('defaults to every case on every side, full mode', () => {
    expect(parseOptions([], {})).toEqual({ quick: false, only: [], backends: ['tessera-cpu', 'tfjs-cpu', 'tfjs-wasm'], relaxedSimd: false, help: false });
  });

  it('reads flags, with or without =, and ignores the -- that pnpm forwards', () => {
    const options = parseOptions(['--', '--quick', '--only', 'matmul,mlp', '--backends=tessera,wasm', '--out', 'x.json'], {});
    expect(options).toEqual({ quick: true, only: ['matmul', 'mlp'], backends: ['tessera-cpu', 'tfjs-wasm'], out: 'x.json', relaxedSimd: false, help: false });
  });

  it('reads the environment, and flags win over it', () => {
    expect(parseOptions([], { BENCH_QUICK: '1', BENCH_ONLY: 'add', BENCH_BACKENDS: 'tfjs' })).toMatchObject({
      quick: true,
      only: ['add'],
      backends: ['tfjs-cpu', 'tfjs-wasm'],
    });
    expect(parseOptions(['--backends', 'tfjs-cpu'], { BENCH_BACKENDS: 'tfjs' }).backends).toEqual(['tfjs-cpu']);
  });

  it('turns relaxed SIMD on by flag or environment', () => {
    expect(parseOptions(['--relaxed-simd'], {}).relaxedSimd).toBe(true);
    expect(parseOptions([], { BENCH_RELAXED_SIMD: '1' }).relaxedSimd).toBe(true);
    expect(parseOptions([], { BENCH_RELAXED_SIMD: '0' }).relaxedSimd).toBe(false);
  });

  it('takes more rounds by flag or environment, and refuses a count that is not a positive integer', () => {
    expect(parseOptions(['--rounds', '10'], {}).rounds).toBe(10);
    expect(parseOptions(['--rounds=4'], { BENCH_ROUNDS: '7' }).rounds).toBe(4);
    expect(parseOptions([], { BENCH_ROUNDS: '7' }).rounds).toBe(7);
    expect(parseOptions([], {}).rounds).toBeUndefined();
    expect(() => parseOptions(['--rounds', '0'], {})).toThrow(/--rounds must be a positive integer, got "0"/);
    expect(() => parseOptions(['--rounds', '2.5'], {})).toThrow(/positive integer/);
  });

  it('rejects unknown flags, unknown backends and missing values', () => {
    expect(() => parseOptions(['--fast'], {})).toThrow('unknown option --fast');
    expect(() => parseOptions(['--backends', 'webgl'], {})).toThrow('unknown backend "webgl"');
    expect(() => parseOptions(['--only'], {})).toThrow('--only needs a value');
  });
});

describe('isSelected', () => {
  const matmul512 = { id: 'matmul-512', suite: 'matmul' };
  it('matches by suite name, exact id or id prefix', () => {
    expect(isSelected(matmul512, [])).toBe(true);
    expect(isSelected(matmul512, ['matmul'])).toBe(true);
    expect(isSelected(matmul512, ['matmul-512'])).toBe(true);
    expect(isSelected(matmul512, ['matmul-1024'])).toBe(false);
    expect(isSelected(matmul512, ['mlp', 'add'])).toBe(false);
  });
});
