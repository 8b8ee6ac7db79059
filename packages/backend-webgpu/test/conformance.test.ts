// The WebGPU backend runs the same conformance suite as every other backend (on Dawn in Node).
import { runConformance } from '@tessera/backend-conformance';
import { describe, it } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import { gpu, hasWebGPU } from './webgpu-environment';

if (hasWebGPU) {
  // Every family, including the million-element cases (about 45 s on lavapipe); float64 checks skip (no WGSL type).
  runConformance(createWebGPUPlugin({ gpu }));
} else {
  describe('webgpu backend conformance', () => {
    it.skip('needs a WebGPU adapter (set TESSERA_REQUIRE_WEBGPU=1 to fail instead)', () => undefined);
  });
}
