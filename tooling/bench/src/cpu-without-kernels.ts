/**
 * A second CPU backend that lacks some optional kernels, so core runs its composite there: how the
 * fused-vs-composite rows (lstm, attention) time both paths on the same machine in the same run.
 */

/**
 * Register (once) and create a CPU backend named `name` without `kernels`; returns its device name.
 * @example
 * const device = await cpuWithoutKernels('cpu-composite-attention', ['attention', 'attentionBackward']);
 */
export async function cpuWithoutKernels(name: string, kernels: readonly string[]): Promise<string> {
  const core = await import('@tessera/core');
  const { CpuBackend, cpuPlugin } = await import('@tessera/backend-cpu');
  if (!core.listBackends().includes(name)) {
    core.registerBackend({
      ...cpuPlugin,
      name,
      priority: -1,
      async create() {
        const backend = new CpuBackend({ name });
        // Own undefined properties shadow the prototype's kernels: exactly a backend without them.
        for (const kernel of kernels) Object.defineProperty(backend, kernel, { value: undefined });
        return backend;
      },
    });
  }
  const current = core.getBackend();
  await core.setBackend(name); // creates it; new tensors still default to the current backend
  await core.setBackend(current);
  return name;
}
