import { afterAll, beforeAll, describe } from 'vitest';
import { describeGradients } from './gradients';
import { Suite } from './harness';
import { describeElementwiseKernels } from './kernels-elementwise';
import { describeFloat16 } from './float16';
import { describeIndexingKernels } from './kernels-indexing';
import { describeMatmulKernels } from './kernels-matmul';
import { describeMatmulBiasActivationKernel } from './kernels-matmul-bias-activation';
import { describeOptionalKernels } from './kernels-optional';
import { describeArgsortKernel } from './kernels-argsort';
import { describeOptimizerKernel } from './kernels-optimizer';
import { describeReduceKernels } from './kernels-reduce';
import { describeMemory } from './memory';
import { describeOps } from './ops';
import { describeLinalg } from './ops-linalg';
import { describeDataDependentOps } from './ops-data-dependent';
import { resolveOptions, type ConformanceOptions } from './options';
import { describeRandom } from './random';
import { describeRecurrentCells } from './ops-recurrent-cell';
import { describeAttention } from './ops-attention';
import { describeWord2VecStep } from './ops-word2vec-step';
import type { BackendPlugin } from '@tessera/core/backend';

/**
 * Declare the conformance suite for a backend plugin. Call it at the top level of a vitest test file.
 *
 * Kernel level: every primitive and every optional kernel the backend implements runs on random
 * inputs — 0-d, empty, broadcast, permuted, sliced, flipped and odd-sized views and one case past a
 * million elements per family — and is compared with core's float64 `ReferenceBackend` on the same
 * host data. Plus RNG bit-exactness, async and sync reads, deferred frees and memory accounting.
 * A backend that lists float16 runs every float check in float16 too (against the reference rounding
 * each result to half), plus bit-exact float16 storage, rounding and cast round trips.
 * Op level: core's public ops and their gradients run on the plugin and on the reference backend.
 *
 * Every test name ends with its key in brackets; pass keys (or their prefixes) in `skip`.
 * @example
 * import { runConformance } from '@tessera/backend-conformance';
 * import { cpuPlugin } from '../src';
 * runConformance(cpuPlugin, { skip: ['conv2d'], large: process.env.CI !== undefined });
 */
export function runConformance(plugin: BackendPlugin, options: ConformanceOptions = {}): void {
  const suite = new Suite(plugin, resolveOptions(options));
  describe(`${plugin.name} backend conformance`, () => {
    beforeAll(() => suite.setUp());
    afterAll(() => suite.tearDown());
    describeMemory(suite);
    describeFloat16(suite);
    describeElementwiseKernels(suite);
    describeReduceKernels(suite);
    describeMatmulKernels(suite);
    describeIndexingKernels(suite);
    describeOptionalKernels(suite);
    describeArgsortKernel(suite);
    describeOptimizerKernel(suite);
    describeMatmulBiasActivationKernel(suite);
    describeRandom(suite);
    if (suite.options.ops) {
      describeOps(suite);
      describeLinalg(suite);
      describeDataDependentOps(suite);
      describeRecurrentCells(suite);
      describeAttention(suite);
      describeWord2VecStep(suite);
      describeGradients(suite);
    }
  });
}
