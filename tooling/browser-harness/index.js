// Shared by the backends' browser tests: bundle a page, serve it locally, run it in headless Chromium.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

export function hasChromium() {
  return existsSync(chromiumPath);
}

// Flags every run needs headless in a container; callers add feature switches (WebGPU) on top.
const BASE_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

// COOP + COEP make the page cross-origin isolated, which browsers require for SharedArrayBuffer.
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

export async function runPageInChromium(options) {
  const { entry, crossOriginIsolated = false, chromiumArgs = [], resultGlobal = '__result', timeoutMs = 150_000, precheck } = options;
  const bundle = await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false,
    external: ['webgpu', 'node:*'], logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  const headers = crossOriginIsolated ? ISOLATION_HEADERS : {};
  const server = createServer((request, response) => {
    if (request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript', ...headers });
      response.end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html', ...headers });
      response.end('<!doctype html><title>tessera browser test</title><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  const logs = [];
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, headless: true, args: [...BASE_ARGS, ...chromiumArgs],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (message) => logs.push(message.text()));
      page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      const problem = precheck ? await precheck(page) : undefined;
      if (problem) return { error: `${problem} (console: ${logs.join(' | ')})`, logs };
      try {
        await page.waitForFunction((name) => globalThis[name] !== undefined, resultGlobal, { timeout: timeoutMs });
      } catch (error) {
        return { error: `the page did not report within ${timeoutMs} ms: ${error.message} (console: ${logs.join(' | ')})`, logs };
      }
      const result = await page.evaluate((name) => globalThis[name], resultGlobal);
      return { result, logs };
    } finally {
      await context.close();
    }
  } finally {
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
