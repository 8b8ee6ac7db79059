/**
 * "Install only the packages you need": pack @tessera/core and @tessera/backend-cpu the way they
 * would be published, install the tarballs into a scratch project outside the workspace with npm,
 * and run a small program with them (ESM and CommonJS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'tessera-pack-'));

function pack(packageDir: string): string {
  execFileSync('pnpm', ['pack', '--pack-destination', scratch], { cwd: join(root, packageDir), stdio: 'pipe' });
  const name = packageDir.split('/').pop()!;
  const tarball = readdirSync(scratch).find((file) => file.startsWith(`tessera-${name}-`) && file.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack produced no tarball for ${packageDir}`);
  return join(scratch, tarball);
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('installing only @tessera/core and @tessera/backend-cpu from their tarballs', () => {
  it('works in a fresh project with ESM and CommonJS', () => {
    const core = pack('packages/core');
    const cpu = pack('packages/backend-cpu');
    const project = join(scratch, 'app');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', core, cpu], { cwd: project, stdio: 'pipe' });
    const installed = readdirSync(join(project, 'node_modules', '@tessera')).sort();
    expect(installed).toEqual(['backend-cpu', 'core']);

    writeFileSync(
      join(project, 'main.mjs'),
      `import '@tessera/backend-cpu';
import { tensor, getBackend } from '@tessera/core';
const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
const loss = w.matmul(tensor([[1], [1]])).sum();
loss.backward();
console.log(JSON.stringify({ backend: getBackend(), loss: await loss.item(), grad: await w.grad.array() }));
`,
    );
    const esm = JSON.parse(execFileSync('node', ['main.mjs'], { cwd: project, encoding: 'utf8' }));
    expect(esm).toEqual({ backend: 'cpu', loss: 10, grad: [[1, 1], [1, 1]] });

    writeFileSync(
      join(project, 'main.cjs'),
      `require('@tessera/backend-cpu');
const { tensor } = require('@tessera/core');
console.log(JSON.stringify(tensor([1, 2, 3]).mul(2).dataSync()));
`,
    );
    const cjs = JSON.parse(execFileSync('node', ['main.cjs'], { cwd: project, encoding: 'utf8' }));
    expect(cjs).toEqual({ 0: 2, 1: 4, 2: 6 });
  });
});
