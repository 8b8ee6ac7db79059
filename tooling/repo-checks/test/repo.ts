/**
 * Where the repository is, and its documentation files: the root docs and every workspace
 * package's README.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const root = resolve(__dirname, '../../..');

/** The root documents and every README of a workspace package (packages/*, apps/*, tooling/*), repo-relative. */
export function documentationFiles(): string[] {
  const files = ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'BENCHMARKS.md'];
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const readme = join(group, name, 'README.md');
      if (existsSync(join(root, readme))) files.push(readme);
    }
  }
  return files;
}
