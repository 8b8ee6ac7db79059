/**
 * Each shared helper has one implementation in the repository: backends, nn and the conformance kit
 * import it (from `@tessera/core` or `@tessera/core/backend`) instead of redefining it. The test
 * scans every package's `src/` for definitions — `function name(`, `const name =` (and `let`/`var`),
 * a class method is not one — and counts them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const packagesDir = join(repository, 'packages');

/** The shared helpers and where their one definition lives. */
const SHARED_HELPERS: Record<string, string> = {
  collapseDims: 'packages/core/src/shape.ts',
  formatShape: 'packages/core/src/shape.ts',
  sizeOf: 'packages/core/src/shape.ts',
  contiguousStrides: 'packages/core/src/shape.ts',
  checkMatmulOperands: 'packages/core/src/backend/matmul-operands.ts',
};

/**
 * Copies that appeared in a package written alongside this change; their owners replace them with
 * core's export (listed so the check stays exact everywhere else — remove an entry once it is gone).
 */
const PENDING_COPIES: Record<string, readonly string[]> = {};

/** The names the copies went by before they were shared (the BPE ones were methods): none may come back. */
const RETIRED_NAMES = ['collapseLayout', 'mergeLong', 'mergeRanks', 'mergeRanksLong', 'installFloat16Kernels'];

/** Source text without block and line comments (doc examples define nothing). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Every `.ts` file under `dir`. */
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (entry.endsWith('.ts')) files.push(path);
  }
  return files;
}

const sources = readdirSync(packagesDir)
  .map((name) => join(packagesDir, name, 'src'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(sourceFiles)
  .map((path) => ({ path: relative(repository, path).split('\\').join('/'), text: withoutComments(readFileSync(path, 'utf8')) }));

/** The files (one entry per definition) that define `name` as a function or a variable. */
function definitionsOf(name: string): string[] {
  const pattern = new RegExp(String.raw`(?:\bfunction\s+${name}\s*[<(]|\b(?:const|let|var)\s+${name}\s*[:=])`, 'g');
  return sources.flatMap(({ path, text }) => (text.match(pattern) ?? []).map(() => path));
}

describe('shared helpers are defined exactly once in packages/*/src', () => {
  it('scans the packages of the repository', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.some(({ path }) => path.startsWith('packages/backend-cpu/src/'))).toBe(true);
  });

  for (const [name, home] of Object.entries(SHARED_HELPERS)) {
    it(`${name} is defined once, in ${home}`, () => {
      const pending = PENDING_COPIES[name] ?? [];
      expect(definitionsOf(name).filter((path) => !pending.includes(path))).toEqual([home]);
    });
  }

  it('the BPE merge loop is one engine (MergeEngine.merge in data/src/text/bpe/merge-engine.ts) that every BPE path uses', () => {
    const engines = sources.filter(({ text }) => /\bclass\s+MergeEngine\b/.test(text)).map(({ path }) => path);
    expect(engines).toEqual(['packages/data/src/text/bpe/merge-engine.ts']);
    const users = sources.filter(({ text }) => /\bnew MergeEngine\(/.test(text)).map(({ path }) => path);
    expect(users).toEqual(['packages/data/src/text/bpe/model.ts']);
    // The Hugging Face path builds the same BPEModel instead of a second class.
    const bpeClasses = sources.filter(({ text }) => /\bclass\s+(BPEModel|BpeModel)\b/.test(text)).map(({ path }) => path);
    expect(bpeClasses).toEqual(['packages/data/src/text/bpe/model.ts']);
  });

  it('the names of the retired copies are not used anywhere', () => {
    for (const name of RETIRED_NAMES) {
      const uses = sources.filter(({ text }) => new RegExp(String.raw`\b${name}\b`).test(text)).map(({ path }) => path);
      expect(uses, name).toEqual([]);
    }
  });
});
