// Releases bump what changed: in a scratch copy of the workspace manifests and changesets, run
// `changeset version` and fail if any package would get a major bump (0.x → 1.0.0 or x → x+1).
// A 0.x minor of core must not force majors on the packages that peer on it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'tessera-version-'));
const manifests = new Map();
try {
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset']) cpSync(join(root, file), join(scratch, file), { recursive: true });
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const name of existsSync(join(root, group)) ? readdirSync(join(root, group)) : []) {
      const manifest = join(group, name, 'package.json');
      if (!existsSync(join(root, manifest))) continue;
      cpSync(join(root, manifest), join(scratch, manifest));
      manifests.set(manifest, JSON.parse(readFileSync(join(root, manifest), 'utf8')));
    }
  }
  const cli = createRequire(join(root, 'package.json')).resolve('@changesets/cli/bin.js');
  execFileSync(process.execPath, [cli, 'version'], { cwd: scratch, stdio: 'pipe' });

  const majors = [];
  for (const [manifest, before] of manifests) {
    if (before.private) continue;
    const after = JSON.parse(readFileSync(join(scratch, manifest), 'utf8'));
    const oldMajor = Number(before.version.split('.')[0]);
    const newMajor = Number(after.version.split('.')[0]);
    const major = oldMajor === 0 ? newMajor > 0 : newMajor > oldMajor;
    const change = before.version === after.version ? 'unchanged' : `${before.version} → ${after.version}`;
    console.log(`${before.name}: ${change}${major ? '  (MAJOR)' : ''}`);
    if (major) majors.push(`${before.name} ${before.version} → ${after.version}`);
  }
  if (majors.length) {
    console.error(`changeset version would make major releases: ${majors.join(', ')}`);
    console.error('(a peer range that a 0.x minor leaves, e.g. workspace:^ on 0.1.0, forces a major on the dependant)');
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
