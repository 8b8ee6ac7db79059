/**
 * A reference backend without any optional kernel, registered as 'plain', so tests exercise core's
 * composites (softmax, layerNorm, conv2d, pooling) as well as the fused kernels.
 */
import { registerBackend, setBackend, BACKEND_API_VERSION, type Backend } from '../src/index';
import { OPTIONAL_KERNELS } from '../src/backend-api';
import { ReferenceBackend } from '../src/testing';

/** Register 'plain' (idempotent). */
export async function registerPlainBackend(): Promise<void> {
  registerBackend({
    name: 'plain',
    apiVersion: BACKEND_API_VERSION,
    priority: -2,
    create: () => {
      const backend = new ReferenceBackend() as unknown as Record<string, unknown>;
      Object.defineProperty(backend, 'name', { value: 'plain' });
      for (const kernel of OPTIONAL_KERNELS) backend[kernel] = undefined;
      return backend as unknown as Backend;
    },
  });
  await setBackend('plain');
  await setBackend('reference');
}
