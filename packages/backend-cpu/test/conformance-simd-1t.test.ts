// SIMD kernels on one thread (no workers): the path of single-core machines and of browsers that are not cross-origin isolated.
import { runConformance } from '@tessera/backend-conformance';
import { createCpuPlugin } from '../src/plugin';

runConformance(createCpuPlugin({ name: 'cpu-simd-1t', simd: 'auto', threads: 1 }));
