/**
 * The development safety net: a FinalizationRegistry that notices tensors garbage-collected without
 * `dispose()`, frees what they held (storage, autograd graph, `.grad`; they leave `memory().tensors`)
 * and reports them (with where they were made, when stacks are on).
 *
 * Watching costs a few microseconds per tensor (registering and unregistering with the registry), so
 * it is off in production, where tensors must be disposed deterministically (`tidy`, scopes, `dispose`).
 */

/** Leak-detection settings. */
export interface LeakDetectionOptions {
  /**
   * Watch new tensors: free and report those collected without `dispose()` (default: on unless NODE_ENV
   * is 'production'). Off, a tensor collected without `dispose()` keeps its backend memory.
   */
  enabled: boolean;
  /** Record a stack trace for every tensor so reports say where it was made (costly; default off, or TESSERA_DEBUG=1). */
  captureStacks: boolean;
  /** Where reports go (default console.warn). */
  report: (message: string) => void;
}

interface LeakRecord {
  /** Frees what the tensor held; must not reference the tensor, or the registry would keep it alive. */
  release: () => void;
  /** Built only when a leak is reported: describing every tensor up front would cost a string per op. */
  describe: () => string;
  stack: string | undefined;
}

const env: Record<string, string | undefined> =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

const options: LeakDetectionOptions = {
  enabled: env.NODE_ENV !== 'production',
  captureStacks: env.TESSERA_DEBUG === '1',
  report: (message) => console.warn(message),
};

let leakedCount = 0;

const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<LeakRecord>((record) => {
        leakedCount++;
        record.release();
        if (leakedCount <= 10 || leakedCount % 1000 === 0) {
          options.report(
            `tessera: a tensor ${record.describe()} was garbage-collected without dispose() (leak #${leakedCount}); ` +
              (record.stack
                ? `it was made at:\n${record.stack}`
                : 'call configureLeakDetection({ captureStacks: true }) or set TESSERA_DEBUG=1 to see where it was made') +
              '. Use tidy(), a scope() or dispose() to free tensors deterministically.',
          );
        }
      })
    : null;

/**
 * Change leak-detection settings.
 * @example
 * configureLeakDetection({ captureStacks: true });
 */
export function configureLeakDetection(update: Partial<LeakDetectionOptions>): void {
  Object.assign(options, update);
}

/** Number of leaked tensors found so far. */
export function leakedTensorCount(): number {
  return leakedCount;
}

/**
 * Watch `target`; if it is collected before {@link unwatchForLeaks}, `release` runs and a report is made.
 * `describe` and `release` must not reference `target` (the registry holds them strongly).
 */
export function watchForLeaks(target: object, describe: () => string, release: () => void): void {
  if (!registry || !options.enabled) return;
  const stack = options.captureStacks ? new Error().stack?.split('\n').slice(3).join('\n') : undefined;
  registry.register(target, { release, describe, stack }, target);
}

/** Stop watching (the tensor was disposed properly). */
export function unwatchForLeaks(target: object): void {
  registry?.unregister(target);
}
