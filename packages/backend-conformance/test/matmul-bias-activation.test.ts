// The matmulBiasActivation checks can fail: each deliberately broken kernel below is caught, the
// reference passes, and a backend without the kernel is skipped with a reason.
import { ReferenceBackend, referencePlugin } from '@tessera/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ConformanceError, hostData } from '../src';
import { Suite, createCheckContext, valuesOf } from '../src/harness';
import { matmulBiasActivationChecks, type FusedMatmulCheck } from '../src/kernels-matmul-bias-activation';
import { resolveOptions } from '../src/options';
import type { BackendPlugin, DType, FusedActivation, OutputBuffer, StridedView } from '@tessera/core/backend';

type FusedKernel = (a: StridedView, b: StridedView, bias: StridedView | null, activation: FusedActivation, out: OutputBuffer) => void;

/** A reference backend whose fused kernel is replaced by `broken` (given the correct kernel to build on). */
function brokenBackend(broken: (backend: ReferenceBackend, correct: FusedKernel) => FusedKernel): ReferenceBackend {
  const backend = new ReferenceBackend();
  const correct: FusedKernel = backend.matmulBiasActivation.bind(backend);
  backend.matmulBiasActivation = broken(backend, correct);
  return backend;
}

/** Rewrite an output in place with `map` over its values (float16 through its bit patterns). */
function mapOutput(backend: ReferenceBackend, out: OutputBuffer, map: (value: number) => number): void {
  const size = out.shape.reduce((product, extent) => product * extent, 1);
  const values = valuesOf(out.dtype, backend.readSync(out.id, out.dtype, 0, size));
  backend.write(out.id, hostData(out.dtype, Array.from(values as ArrayLike<number>, map)));
}

const MUTANTS: Record<string, (backend: ReferenceBackend, correct: FusedKernel) => FusedKernel> = {
  'forgets the bias': (_backend, correct) => (a, b, _bias, activation, out) => correct(a, b, null, activation, out),
  "applies relu for 'none'": (_backend, correct) => (a, b, bias, activation, out) => correct(a, b, bias, activation === 'none' ? 'relu' : activation, out),
  'swaps sigmoid and tanh': (_backend, correct) => (a, b, bias, activation, out) =>
    correct(a, b, bias, activation === 'sigmoid' ? 'tanh' : activation === 'tanh' ? 'sigmoid' : activation, out),
  "reads the bias at offset 0, not at the view's offset": (_backend, correct) => (a, b, bias, activation, out) => correct(a, b, bias && { ...bias, offset: 0 }, activation, out),
  'adds the bias after the activation': (backend, correct) => (a, b, bias, activation, out) => {
    correct(a, b, null, activation, out);
    if (!bias) return;
    const values = valuesOf(bias.dtype, backend.readSync(bias.id, bias.dtype, bias.offset, bias.shape[0]));
    const columns = out.shape[2];
    let index = 0;
    mapOutput(backend, out, (value) => value + Number(values[index++ % columns]));
  },
};

/** Run one check's body with `backend` as the backend under test. */
async function runCheck(check: FusedMatmulCheck, backend: ReferenceBackend): Promise<void> {
  const reference = new ReferenceBackend();
  const context = createCheckContext(backend, reference, resolveOptions(), check.key);
  try {
    await check.body(context);
  } finally {
    context.session.dispose();
    reference.dispose();
  }
}

const checkOf = (dtype: DType, key: string): FusedMatmulCheck => {
  const check = matmulBiasActivationChecks(dtype).find((candidate) => candidate.key === key);
  if (!check) throw new Error(`no check ${key}`);
  return check;
};

describe('matmulBiasActivation checks', () => {
  const made: ReferenceBackend[] = [];
  afterEach(() => {
    for (const backend of made.splice(0)) backend.dispose();
  });
  const track = (backend: ReferenceBackend) => (made.push(backend), backend);

  it('every check passes on the reference backend in every float dtype', async () => {
    for (const dtype of ['float32', 'float64', 'float16'] as const) {
      for (const check of matmulBiasActivationChecks(dtype)) await runCheck(check, track(new ReferenceBackend()));
    }
  });

  for (const [name, broken] of Object.entries(MUTANTS)) {
    it(`the main check fails for a kernel that ${name}`, async () => {
      for (const dtype of ['float32', 'float64', 'float16'] as const) {
        await expect(runCheck(checkOf(dtype, `matmulBiasActivation:${dtype}`), track(brokenBackend(broken)))).rejects.toThrow(ConformanceError);
      }
    });
  }

  it('the sizes check fails for a kernel that writes zeros when K = 0 (instead of activation(bias))', async () => {
    const zerosForEmptyK = brokenBackend((backend, correct) => (a, b, bias, activation, out) => {
      correct(a, b, bias, activation, out);
      if (a.shape[2] === 0) mapOutput(backend, out, () => 0);
    });
    await expect(runCheck(checkOf('float32', 'matmulBiasActivation.sizes:float32'), track(zerosForEmptyK))).rejects.toThrow(/activation 'none', bias contiguous bias .*\) \[2, 3, 0\]/);
  });

  it('the sizes check fails for a kernel that drops the last partial tile of columns', async () => {
    const dropsTail = brokenBackend((backend, correct) => (a, b, bias, activation, out) => {
      correct(a, b, bias, activation, out);
      const columns = out.shape[2];
      let index = 0;
      // A 16-wide tiling that forgets the remainder leaves those columns at zero.
      mapOutput(backend, out, (value) => (index++ % columns >= columns - (columns % 16) ? 0 : value));
    });
    await expect(runCheck(checkOf('float64', 'matmulBiasActivation.sizes:float64'), track(dropsTail))).rejects.toThrow(ConformanceError);
  });

  it('the saturation check fails for tanh computed as (e²ˣ − 1)/(e²ˣ + 1) in float32 (NaN past |x| ≈ 44)', async () => {
    const naiveTanh = brokenBackend((backend, correct) => (a, b, bias, activation, out) => {
      correct(a, b, bias, activation === 'tanh' ? 'none' : activation, out);
      if (activation === 'tanh') mapOutput(backend, out, (x) => {
        const e = Math.fround(Math.exp(2 * x));
        return Math.fround((e - 1) / (e + 1));
      });
    });
    await expect(runCheck(checkOf('float32', 'matmulBiasActivation.saturation:float32'), track(naiveTanh))).rejects.toThrow(/activation 'tanh'[\s\S]*got NaN/);
  });

  it('a backend without the kernel has its checks skipped with a reason (core uses its composite)', async () => {
    const withoutKernel: BackendPlugin = {
      ...referencePlugin,
      name: 'reference-without-fused-matmul',
      create: () => {
        const backend = new ReferenceBackend();
        Object.defineProperty(backend, 'matmulBiasActivation', { value: undefined });
        return backend;
      },
    };
    const suite = new Suite(withoutKernel, resolveOptions());
    await suite.setUp();
    try {
      expect(suite.unmetRequirement({ dtype: 'float32', kernel: 'matmulBiasActivation' })).toMatch(/no optional matmulBiasActivation kernel/);
    } finally {
      suite.tearDown();
    }
    const full = new Suite(referencePlugin, resolveOptions());
    await full.setUp();
    try {
      expect(full.unmetRequirement({ dtype: 'float32', kernel: 'matmulBiasActivation' })).toBeNull();
    } finally {
      full.tearDown();
    }
  });
});
