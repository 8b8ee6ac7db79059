/**
 * Every relative link in the repository's documentation points at a file or folder that exists
 * inside the repository (a link into a folder beside the clone breaks for everyone else).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativeLinks } from './markdown-links';
import { documentationFiles, root } from './repo';

describe('documentation links', () => {
  it('the architecture guide, the contributing guide and the benchmark log exist at the root', () => {
    for (const file of ['ARCHITECTURE.md', 'CONTRIBUTING.md', 'BENCHMARKS.md']) expect(existsSync(join(root, file)), file).toBe(true);
  });

  it.each(documentationFiles())('every relative link in %s resolves to a file in the repository', (file) => {
    const broken: string[] = [];
    for (const { target, line } of relativeLinks(readFileSync(join(root, file), 'utf8'))) {
      const path = decodeURIComponent(target.split('#')[0]);
      const resolved = resolve(root, dirname(file), path);
      const inside = !relative(root, resolved).startsWith('..');
      if (!inside) broken.push(`${file}:${line}: ${target} leaves the repository`);
      else if (!existsSync(resolved)) broken.push(`${file}:${line}: ${target} does not exist`);
    }
    expect(broken).toEqual([]);
  });
});

describe('relativeLinks (the parser the check relies on)', () => {
  it('finds inline links, images and reference definitions with their lines', () => {
    const markdown = 'See [core](packages/core) and ![logo](docs/logo.png "Logo").\n\n[design]: ARCHITECTURE.md#layers';
    expect(relativeLinks(markdown)).toEqual([
      { target: 'packages/core', line: 1 },
      { target: 'docs/logo.png', line: 1 },
      { target: 'ARCHITECTURE.md#layers', line: 3 },
    ]);
  });

  it('leaves out external URLs, same-page anchors, code spans and fenced code', () => {
    const markdown = [
      '[site](https://example.com) [mail](mailto:a@b.c) [top](#top) `[not](a-link.md)`',
      '```ts',
      'const link = "[x](inside-code.md)";',
      '```',
      '[real](CONTRIBUTING.md)',
    ].join('\n');
    expect(relativeLinks(markdown)).toEqual([{ target: 'CONTRIBUTING.md', line: 5 }]);
  });
});
