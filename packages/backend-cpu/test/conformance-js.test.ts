// The plain JavaScript kernels (simd: false): the fallback where WebAssembly SIMD is unavailable.
import { runConformance } from '@tessera/backend-conformance';
import { createCpuPlugin } from '../src/plugin';

runConformance(createCpuPlugin({ name: 'cpu-js', simd: false }), { large: false });
