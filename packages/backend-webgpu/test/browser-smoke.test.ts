/**
 * The browser path: bundle `browser/smoke-page.ts` (core + this backend on `navigator.gpu`), serve it
 * on 127.0.0.1 and run it in headless Chromium with WebGPU enabled (on a software Vulkan driver in CI).
 * Skips visibly without Chromium, unless `TESSERA_REQUIRE_WEBGPU=1`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const executablePath = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(executablePath);
if (!hasChromium && process.env.TESSERA_REQUIRE_WEBGPU === '1') {
  throw new Error(`TESSERA_REQUIRE_WEBGPU=1 but Chromium is not at ${executablePath} (apt-get install chromium, or set TESSERA_CHROMIUM)`);
}
if (!hasChromium) console.warn(`[backend-webgpu] skipping the browser smoke test: no Chromium at ${executablePath}`);

interface SmokeResult {
  name: string;
  ok: boolean;
  detail: string;
}

describe.skipIf(!hasChromium)('headless Chromium smoke subset on navigator.gpu', () => {
  let server: Server;
  let url = '';
  let results: SmokeResult[] | { error: string } = { error: 'not run' };
  let profile = '';

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/smoke-page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      external: ['webgpu', 'node:*'],
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0].text;
    server = createServer((request, response) => {
      if (request.url === '/smoke.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><title>tessera webgpu smoke</title><script type="module" src="/smoke.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
    // A fresh profile directory per run (Playwright takes it as the persistent context's data dir).
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--headless=new', '--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan',
        '--use-vulkan=native', '--ignore-gpu-blocklist', '--disable-vulkan-surface', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run',
      ],
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const logs: string[] = [];
      page.on('console', (message) => logs.push(message.text()));
      page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
      await page.goto(url);
      const hasGpu = await page.evaluate(async () => {
        const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
        return gpu ? (await gpu.requestAdapter()) !== null : false;
      });
      if (!hasGpu) {
        results = { error: `Chromium has no WebGPU adapter here (console: ${logs.join(' | ')})` };
        return;
      }
      await page.waitForFunction(() => (globalThis as { __smoke?: unknown }).__smoke !== undefined, undefined, { timeout: 150_000 });
      results = (await page.evaluate(() => (globalThis as { __smoke?: unknown }).__smoke)) as typeof results;
      if ('error' in results) results.error += `\nconsole: ${logs.join(' | ')}`;
    } finally {
      await browser.close();
    }
  }, 240_000);

  afterAll(() => {
    server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('runs every smoke check on webgpu in the page', () => {
    if ('error' in results) throw new Error(results.error);
    const failed = results.filter((result) => !result.ok);
    expect(failed, results.map((result) => `${result.ok ? 'ok ' : 'FAIL'} ${result.name}: ${result.detail}`).join('\n')).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(10);
  });
});
