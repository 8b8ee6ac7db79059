/**
 * The browser path: the CPU backend bundled into a page and run in headless Chromium, once
 * cross-origin isolated (WebAssembly SIMD + Web Worker threads over shared memory) and once not
 * (SIMD on one thread, with the reason threads are off). Skips visibly without Chromium, unless
 * `TESSERA_REQUIRE_WEBGPU=1` (CI), which requires Chromium for every browser test.
 */
import { fileURLToPath } from 'node:url';
import { chromiumPath, hasChromium, runPageInChromium } from '@tessera/browser-harness';
import { describe, expect, it } from 'vitest';
import type { CpuPageReport } from './browser/cpu-page';

const available = hasChromium();
if (!available && process.env.TESSERA_REQUIRE_WEBGPU === '1') {
  throw new Error(`TESSERA_REQUIRE_WEBGPU=1 but Chromium is not at ${chromiumPath} (apt-get install chromium, or set TESSERA_CHROMIUM)`);
}
if (!available) console.warn(`[backend-cpu] skipping the browser tests: no Chromium at ${chromiumPath}`);

const entry = fileURLToPath(new URL('./browser/cpu-page.ts', import.meta.url));

async function runPage(crossOriginIsolated: boolean): Promise<CpuPageReport> {
  const run = await runPageInChromium({ entry, crossOriginIsolated });
  if (run.error) throw new Error(run.error);
  const report = run.result as CpuPageReport | { error: string };
  if ('error' in report) throw new Error(`${report.error}\nconsole: ${run.logs.join(' | ')}`);
  return report;
}

function describeChecks(report: CpuPageReport): string {
  return report.checks.map((check) => `${check.ok ? 'ok ' : 'FAIL'} ${check.name}: ${check.detail}`).join('\n');
}

describe.skipIf(!available)('the CPU backend in headless Chromium', () => {
  it('uses SIMD and Web Worker threads in a cross-origin isolated page, and matches the reference', async () => {
    const report = await runPage(true);
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.config.simd, report.config.notes.join('; ')).toBe(true);
    expect(report.config.sharedMemory).toBe(true);
    expect(report.config.threads, report.config.notes.join('; ')).toBe(2);
    expect(report.readyWorkers).toBe(1);
    expect(report.checks.filter((check) => !check.ok), describeChecks(report)).toEqual([]);
    expect(report.checks.length).toBeGreaterThanOrEqual(14);
  }, 240_000);

  it('falls back to one thread, saying why, when the page is not cross-origin isolated', async () => {
    const report = await runPage(false);
    expect(report.crossOriginIsolated).toBe(false);
    expect(report.config.simd).toBe(true);
    expect(report.config.threads).toBe(1);
    expect(report.config.notes.join('; ')).toMatch(/cross-origin isolated|shared/);
    expect(report.readyWorkers).toBe(0);
    expect(report.checks.filter((check) => !check.ok), describeChecks(report)).toEqual([]);
  }, 240_000);
});
