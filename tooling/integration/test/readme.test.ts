/**
 * The quick start in the root README runs as written (against the workspace packages).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');

describe('the root README quick start', () => {
  it('trains logistic regression to the right outputs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    // Run it from inside this package so the workspace packages resolve; TypeScript's `!` is the only TS syntax used.
    const dir = mkdtempSync(join(__dirname, '.readme-'));
    try {
      const file = join(dir, 'quick-start.mjs');
      writeFileSync(file, code.replace(/!\./g, '.').replace(/console\.log\((.*)\);/, 'console.log(JSON.stringify($1));'));
      const output = execFileSync('node', [file], { cwd: dir, encoding: 'utf8' });
      const predictions = (JSON.parse(output.trim().split('\n').pop()!) as number[][]).map(([p]) => p);
      expect(predictions[0]).toBeLessThan(0.2);
      expect(predictions[1]).toBeGreaterThan(0.8);
      expect(predictions[2]).toBeGreaterThan(0.8);
      expect(predictions[3]).toBeLessThan(0.2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
