/**
 * The browser path: bundle `browser/smoke-page.ts` (core + this backend on `navigator.gpu`), serve it
 * on 127.0.0.1 and run it in headless Chromium with WebGPU enabled (on a software Vulkan driver in CI),
 * through the shared `@tessera/browser-harness`. Skips visibly without Chromium, unless
 * `TESSERA_REQUIRE_WEBGPU=1`.
 */
import { fileURLToPath } from 'node:url';
import { chromiumPath, hasChromium, runPageInChromium } from '@tessera/browser-harness';
import { beforeAll, describe, expect, it } from 'vitest';

const available = hasChromium();
if (!available && process.env.TESSERA_REQUIRE_WEBGPU === '1') {
  throw new Error(`TESSERA_REQUIRE_WEBGPU=1 but Chromium is not at ${chromiumPath} (apt-get install chromium, or set TESSERA_CHROMIUM)`);
}
if (!available) console.warn(`[backend-webgpu] skipping the browser smoke test: no Chromium at ${chromiumPath}`);

interface SmokeResult {
  name: string;
  ok: boolean;
  detail: string;
}

// Chromium's WebGPU on Vulkan (lavapipe in CI): no GPU process sandbox, no surface, no blocklist.
const WEBGPU_ARGS = [
  '--disable-gpu-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=native',
  '--ignore-gpu-blocklist', '--disable-vulkan-surface',
];

describe.skipIf(!available)('headless Chromium smoke subset on navigator.gpu', () => {
  let results: SmokeResult[] | { error: string } = { error: 'not run' };

  beforeAll(async () => {
    const run = await runPageInChromium({
      entry: fileURLToPath(new URL('./browser/smoke-page.ts', import.meta.url)),
      chromiumArgs: WEBGPU_ARGS,
      resultGlobal: '__smoke',
      precheck: async (page) => {
        const hasGpu = await page.evaluate(async () => {
          const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
          return gpu ? (await gpu.requestAdapter()) !== null : false;
        });
        return hasGpu ? undefined : 'Chromium has no WebGPU adapter here';
      },
    });
    results = run.error ? { error: run.error } : (run.result as typeof results);
    if ('error' in results && !run.error) results.error += `\nconsole: ${run.logs.join(' | ')}`;
  }, 240_000);

  it('runs every smoke check on webgpu in the page', () => {
    if ('error' in results) throw new Error(results.error);
    const failed = results.filter((result) => !result.ok);
    expect(failed, results.map((result) => `${result.ok ? 'ok ' : 'FAIL'} ${result.name}: ${result.detail}`).join('\n')).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(10);
  });
});
