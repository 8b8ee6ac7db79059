/**
 * The fixture of tests that compare this backend with core's float64 reference buffer by buffer:
 * the webgpu backend (registered on the test GPU), a reference backend, a seeded generator, and a
 * list of live buffers freed after each test.
 */
import { ensureBackend, registerBackend } from '@tessera/core';
import { ReferenceBackend } from '@tessera/core/testing';
import { createRng, type Rng } from '@tessera/backend-conformance';
import { afterEach, beforeAll } from 'vitest';
import { createWebGPUPlugin } from '../src/plugin';
import type { WebGPUBackend } from '../src/webgpu-backend';
import { gpu } from './webgpu-environment';
import type { Backend, DataId } from '@tessera/core/backend';

export interface PairedBackends {
  /** Set in the fixture's `beforeAll` (read it inside tests or later hooks). */
  webgpu: WebGPUBackend;
  readonly reference: ReferenceBackend;
  /** Set in the fixture's `beforeAll`, seeded. */
  rng: Rng;
  /** Buffers to free after the current test: push `[backend, id]` when allocating. */
  readonly live: [Backend, DataId][];
}

/**
 * Register the fixture's hooks in the current `describe` and return it.
 * @example
 * const fixture = usePairedBackends(20240229);
 * it('…', () => { const id = fixture.webgpu.alloc(4, 'float32'); fixture.live.push([fixture.webgpu, id]); });
 */
export function usePairedBackends(seed: number): PairedBackends {
  const fixture = { reference: new ReferenceBackend(), live: [] as [Backend, DataId][] } as unknown as PairedBackends;
  beforeAll(async () => {
    registerBackend(createWebGPUPlugin({ gpu }));
    fixture.webgpu = (await ensureBackend('webgpu')) as WebGPUBackend;
    fixture.rng = createRng(seed);
  });
  afterEach(() => {
    for (const [backend, id] of fixture.live.splice(0)) backend.free(id);
  });
  return fixture;
}
