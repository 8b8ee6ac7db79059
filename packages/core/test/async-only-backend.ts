/**
 * The reference backend without sync reads, registered as 'async-only': what a GPU backend looks
 * like to core, so tests can check that data-dependent ops work there through their async forms.
 */
import { registerBackend, setBackend, BACKEND_API_VERSION, type Backend } from '../src/index';
import { ReferenceBackend } from '../src/testing';

/** Register 'async-only' (idempotent) and make sure it is created; the current backend stays as it was. */
export async function registerAsyncOnlyBackend(current = 'reference'): Promise<void> {
  registerBackend({
    name: 'async-only',
    apiVersion: BACKEND_API_VERSION,
    priority: -3,
    create: () => {
      const backend = new ReferenceBackend() as unknown as Record<string, unknown>;
      Object.defineProperty(backend, 'name', { value: 'async-only' });
      Object.defineProperty(backend, 'capabilities', { value: { ...(backend.capabilities as object), syncRead: false } });
      // Reads still work, but only asynchronously.
      const readSync = (backend.readSync as (...args: unknown[]) => unknown).bind(backend);
      backend.read = (...args: unknown[]) => Promise.resolve(readSync(...args));
      backend.readSync = undefined;
      return backend as unknown as Backend;
    },
  });
  await setBackend('async-only');
  await setBackend(current);
}
