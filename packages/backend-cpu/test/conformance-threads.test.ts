// SIMD kernels with two threads (one worker): the large cases split matmul, element-wise ops and reductions across threads.
import { runConformance } from '@tessera/backend-conformance';
import { createCpuPlugin } from '../src/plugin';

runConformance(createCpuPlugin({ name: 'cpu-simd-2t', simd: 'auto', threads: 2 }), { ops: false });
