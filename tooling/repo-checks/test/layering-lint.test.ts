/**
 * The layering rule of ARCHITECTURE.md bites: ESLint, with nn's own config, rejects library code
 * that imports a concrete backend or reaches into core's sources, and accepts the public API.
 * Each fixture is linted as if it were a file in packages/nn (src/ for library code, test/ for tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { root } from './repo';

const nn = join(root, 'packages/nn');

/** The `no-restricted-imports` messages ESLint reports for a fixture placed at `asFile` inside packages/nn. */
async function layeringErrors(fixture: string, asFile: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: nn });
  const code = readFileSync(join(__dirname, 'fixtures', fixture), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: join(nn, asFile) });
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the layering lint rule in a library package (nn)', () => {
  it('rejects importing a concrete backend from library code', async () => {
    const errors = await layeringErrors('nn-imports-backend.ts', 'src/layers/uses-cpu.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/'@tessera\/backend-cpu'.*library code runs on whatever backend the user chose/);
  });

  it("rejects deep imports of core's sources", async () => {
    const errors = await layeringErrors('nn-deep-import.ts', 'src/layers/deep.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/'@tessera\/core\/src\/tensor\/tensor'.*core's internals are not an API/);
  });

  it('accepts library code that uses only the public API', async () => {
    expect(await layeringErrors('nn-public-api.ts', 'src/layers/public.ts')).toEqual([]);
  });

  it("lets the package's tests pick a backend", async () => {
    expect(await layeringErrors('nn-imports-backend.ts', 'test/uses-cpu.test.ts')).toEqual([]);
  });
});
