/**
 * The published type declarations compile in a strict consumer project: every package is packed as
 * it would be published, unpacked into a scratch project's node_modules, and every entry point is
 * imported from ESM (.mts) and CommonJS (.cts) under `skipLibCheck: false` with only
 * `lib: ["ES2022"]` and `@types/node` — no DOM, so a declaration that leans on browser types fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'tessera-types-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The publishable workspace packages, with their folders. */
function publishedPackages(): { dir: string; manifest: Manifest }[] {
  return readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
    .filter(({ manifest }) => !manifest.private);
}

/** `pnpm pack` a package and unpack the tarball at `destination` (what `npm install` would put there). */
function packInto(dir: string, destination: string): void {
  const packed = join(scratch, 'tarballs', dir.split('/').pop()!);
  mkdirSync(packed, { recursive: true });
  execFileSync('pnpm', ['pack', '--pack-destination', packed], { cwd: dir, stdio: 'pipe' });
  const tarball = readdirSync(packed).find((file) => file.endsWith('.tgz'))!;
  mkdirSync(destination, { recursive: true });
  execFileSync('tar', ['-xzf', join(packed, tarball), '-C', destination, '--strip-components=1']);
}

/** Link a third-party package (a dependency or peer of a Tessera package) from the workspace's install. */
function linkThirdParty(name: string, fromDir: string, modules: string): void {
  const target = join(modules, name);
  if (existsSync(target)) return;
  // pnpm links each package's dependencies into its own node_modules (hoisted ones into the root's).
  const installed = [join(fromDir, 'node_modules', name), join(root, 'node_modules', name)].find((dir) => existsSync(dir));
  if (!installed) throw new Error(`published-types: ${name} (needed by ${fromDir}) is not installed`);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(realpathSync(installed), target, 'dir');
}

describe('the published type declarations', () => {
  it('compile with skipLibCheck: false, lib ES2022 and @types/node only, from ESM and CommonJS', () => {
    const project = join(scratch, 'consumer');
    const modules = join(project, 'node_modules');
    const packages = publishedPackages();
    const entries: string[] = [];
    for (const { dir, manifest } of packages) {
      packInto(dir, join(modules, manifest.name));
      for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        if (!dependency.startsWith('@tessera/')) linkThirdParty(dependency, dir, modules);
      }
      for (const subpath of Object.keys(manifest.exports ?? { '.': null })) entries.push(manifest.name + subpath.slice(1));
    }
    linkThirdParty('@types/node', root, modules);

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'types-consumer', private: true, type: 'module' }));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          types: ['node'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: ['esm.mts', 'cjs.cts'],
      }),
    );
    const namespaces = entries.map((entry, i) => ({ entry, name: `entry${i}` }));
    writeFileSync(
      join(project, 'esm.mts'),
      namespaces.map(({ entry, name }) => `import * as ${name} from '${entry}';`).join('\n') +
        `\nexport const esm: object[] = [${namespaces.map(({ name }) => name).join(', ')}];\n`,
    );
    writeFileSync(
      join(project, 'cjs.cts'),
      namespaces.map(({ entry, name }) => `import ${name} = require('${entry}');`).join('\n') +
        `\nexport const cjs: object[] = [${namespaces.map(({ name }) => name).join(', ')}];\n`,
    );

    expect(entries).toEqual(expect.arrayContaining(['@tessera/core', '@tessera/core/backend', '@tessera/nn', '@tessera/backend-cpu', '@tessera/backend-webgpu']));
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    }
    expect(output).toBe('');
  });
});
