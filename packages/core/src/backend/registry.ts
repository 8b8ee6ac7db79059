/**
 * The backend registry of this core instance: plugins by name, created backends, and the current one.
 * There is no global kernel table: each plugin is one object, and each backend one instance.
 */
import { BackendError } from '../errors';
import { BACKEND_API_VERSION, type Backend, type BackendPlugin } from './backend';

interface RegistryEntry {
  plugin: BackendPlugin;
  instance: Backend | null;
  pending: Promise<Backend> | null;
  /** Why the plugin cannot run here, when it said so. */
  unavailableReason: string | null;
}

const entries = new Map<string, RegistryEntry>();
let currentName: string | null = null;
/** The name each created backend was registered under (a plugin may reuse another's backend class). */
const registeredNames = new WeakMap<Backend, string>();

/**
 * The registered name of a created backend: what `tensor.device` reports and `t.to(name)` accepts.
 * @example
 * backendName(resolveBackend(undefined)); // 'cpu'
 */
export function backendName(backend: Backend): string {
  return registeredNames.get(backend) ?? backend.name;
}

function entryFor(name: string): RegistryEntry {
  const entry = entries.get(name);
  if (!entry) {
    const known = [...entries.keys()];
    throw new BackendError(
      `backend '${name}' is not registered (registered: ${known.length ? known.join(', ') : 'none'}); ` +
        `import its package first, e.g. import '@tessera/backend-${name}'`,
    );
  }
  return entry;
}

/**
 * Register a backend plugin with this core. Registering a name again replaces the plugin unless the
 * earlier one was already created (then the call is ignored, so re-imported modules are harmless).
 * @example
 * import { cpuPlugin } from '@tessera/backend-cpu/plugin';
 * registerBackend(cpuPlugin);
 */
export function registerBackend(plugin: BackendPlugin): void {
  if (!plugin || typeof plugin.name !== 'string' || typeof plugin.create !== 'function') {
    throw new BackendError('registerBackend: expected a plugin object { name, apiVersion, priority, create() }');
  }
  if (plugin.apiVersion !== BACKEND_API_VERSION) {
    throw new BackendError(
      `registerBackend: plugin '${plugin.name}' implements backend API version ${plugin.apiVersion}, ` +
        `but this @tessera/core speaks version ${BACKEND_API_VERSION}`,
    );
  }
  const existing = entries.get(plugin.name);
  if (existing?.instance || existing?.pending) return;
  entries.set(plugin.name, { plugin, instance: null, pending: null, unavailableReason: null });
}

/** Options of {@link listBackends}. */
export interface ListBackendsOptions {
  /**
   * Only the backends that can run now: created ones, and plugins that need no availability probe.
   * A plugin with an asynchronous probe (webgpu) is listed once `ready()` or `setBackend` started it;
   * one that declined to run is never listed (`backendUnavailableReason(name)` says why).
   */
  readonly available?: boolean;
}

/**
 * Names of the registered backends, highest priority first.
 * @example
 * listBackends(); // ['webgpu', 'cpu']
 * listBackends({ available: true }); // ['cpu'] until `await ready()` found a GPU adapter
 */
export function listBackends(options: ListBackendsOptions = {}): string[] {
  const sorted = [...entries.values()].sort((a, b) => b.plugin.priority - a.plugin.priority);
  return (options.available ? sorted.filter(isUsableNow) : sorted).map((entry) => entry.plugin.name);
}

/** Whether a backend can serve tensors without awaiting anything (created, or creatable without a probe). */
function isUsableNow(entry: RegistryEntry): boolean {
  if (entry.instance) return true;
  return entry.unavailableReason === null && entry.pending === null && entry.plugin.isAvailable === undefined;
}

function adopt(entry: RegistryEntry, backend: Backend): Backend {
  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    if (!backend.capabilities.dtypes.includes(dtype)) {
      throw new BackendError(`backend '${entry.plugin.name}' must support dtype ${dtype}`);
    }
  }
  entry.instance = backend;
  entry.pending = null;
  registeredNames.set(backend, entry.plugin.name);
  return backend;
}

/**
 * Create (once) and return the backend of a registered plugin, without making it current.
 * @example
 * const backend = await ensureBackend('cpu');
 */
export async function ensureBackend(name: string): Promise<Backend> {
  return initialize(name);
}

/** Create (once) and return the backend of a registered plugin. */
async function initialize(name: string): Promise<Backend> {
  const entry = entryFor(name);
  if (entry.instance) return entry.instance;
  if (!entry.pending) {
    entry.pending = (async () => {
      const available = entry.plugin.isAvailable ? await entry.plugin.isAvailable() : true;
      if (available !== true) {
        entry.unavailableReason = typeof available === 'string' ? available : 'the plugin reported it is unavailable';
        throw new BackendError(`backend '${name}' is not available here: ${entry.unavailableReason}`);
      }
      return adopt(entry, await entry.plugin.create());
    })();
    entry.pending.catch(() => {
      entry.pending = null;
    });
  }
  return entry.pending;
}

/**
 * Make `name` the backend for new tensors (creating it first). Existing tensors stay where they are.
 * @example
 * await setBackend('cpu');
 */
export async function setBackend(name: string): Promise<void> {
  await initialize(name);
  currentName = name;
}

/**
 * Wait until the current backend — or, if none was chosen, the highest-priority available one — is ready.
 * @example
 * await ready(); // then create tensors
 */
export async function ready(): Promise<void> {
  if (currentName) {
    await initialize(currentName);
    return;
  }
  const failures: string[] = [];
  for (const name of listBackends()) {
    try {
      await initialize(name);
      currentName = name;
      return;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new BackendError(
    failures.length
      ? `ready: no registered backend could start (${failures.join('; ')})`
      : "ready: no backend is registered; import one, e.g. import '@tessera/backend-cpu'",
  );
}

/**
 * The name of the backend new tensors go to.
 * @example
 * getBackend(); // 'cpu'
 */
export function getBackend(): string {
  if (!currentName) resolveBackend(undefined);
  return currentName!;
}

/**
 * Why a registered plugin declined to run, if it did (e.g. "no WebGPU adapter").
 * @example
 * backendUnavailableReason('webgpu'); // null, or the reason
 */
export function backendUnavailableReason(name: string): string | null {
  return entryFor(name).unavailableReason;
}

/**
 * The backend instance for a device name (the current one when `undefined`), created synchronously if
 * its plugin allows it. Used by ops; users rarely need it.
 * @example
 * resolveBackend('cpu').capabilities.dtypes; // ['float32', 'int32', 'bool', 'float64']
 */
export function resolveBackend(name: string | undefined): Backend {
  if (name === undefined) {
    if (currentName) return resolveBackend(currentName);
    return adoptDefault();
  }
  const entry = entryFor(name);
  if (entry.instance) return entry.instance;
  if (entry.pending) {
    throw new BackendError(`backend '${name}' is still starting; await ready() or await setBackend('${name}') first`);
  }
  const backend = entry.plugin.isAvailable ? null : createNow(entry);
  if (!backend) {
    throw new BackendError(`backend '${name}' starts asynchronously; await ready() or await setBackend('${name}') first`);
  }
  return backend;
}

/**
 * Without `setBackend` or `await ready()`, the first tensor goes to the highest-priority backend usable
 * right now, and that choice sticks. A plugin that must probe asynchronously (webgpu) is skipped rather
 * than started, so a program that never awaits runs on cpu — quietly — as PyTorch defaults to cpu.
 */
function adoptDefault(): Backend {
  const waiting: string[] = [];
  for (const name of listBackends()) {
    const entry = entries.get(name)!;
    if (entry.unavailableReason !== null) continue;
    if (!entry.instance && (entry.pending || entry.plugin.isAvailable)) {
      waiting.push(name);
      continue;
    }
    const backend = entry.instance ?? createNow(entry);
    if (!backend) {
      waiting.push(name);
      continue;
    }
    currentName = name;
    return backend;
  }
  if (waiting.length) {
    throw new BackendError(
      `no backend can start synchronously (${waiting.join(', ')} start asynchronously); await ready() or await setBackend('${waiting[0]}') first`,
    );
  }
  throw new BackendError("no backend is registered; import one first, e.g. import '@tessera/backend-cpu'");
}

/** Create a probe-less plugin's backend; `null` when its `create()` is asynchronous (it keeps starting). */
function createNow(entry: RegistryEntry): Backend | null {
  const created = entry.plugin.create();
  if (created instanceof Promise) {
    entry.pending = created.then((backend) => adopt(entry, backend));
    entry.pending.catch(() => {
      entry.pending = null;
    });
    return null;
  }
  return adopt(entry, created);
}

/**
 * Dispose a created backend and forget its instance (the plugin stays registered). Tensors on it become unusable.
 * @example
 * removeBackendInstance('webgpu');
 */
export function removeBackendInstance(name: string): void {
  const entry = entryFor(name);
  if (entry.instance) removedInstances.add(entry.instance);
  entry.instance?.dispose?.();
  entry.instance = null;
  if (currentName === name) currentName = null;
}

/** Instances disposed by {@link removeBackendInstance}: their tensors must fail clearly, not half-work. */
const removedInstances = new WeakSet<Backend>();

/**
 * Throws a `BackendError` naming `op` when `backend` was removed by {@link removeBackendInstance}.
 * @example
 * assertBackendPresent(tensor.storage.backend, 'add');
 */
export function assertBackendPresent(backend: Backend, op: string): void {
  if (!removedInstances.has(backend)) return;
  const name = backendName(backend);
  throw new BackendError(
    `${op}: the tensor lives on backend '${name}' whose instance was removed (removeBackendInstance('${name}')); ` +
      'its tensors can no longer be used: create them again after the backend is recreated',
  );
}

/** The created backends, by name (for memory reports). */
export function createdBackends(): Map<string, Backend> {
  const result = new Map<string, Backend>();
  for (const [name, entry] of entries) if (entry.instance) result.set(name, entry.instance);
  return result;
}
