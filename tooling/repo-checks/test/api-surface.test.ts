/**
 * The public API of @tessera/core changes only on purpose: the export names of `@tessera/core` and
 * `@tessera/core/backend` are compared with the committed lists in api/. After a deliberate
 * addition or removal, refresh them with
 *
 *   pnpm --filter @tessera/repo-checks api:update
 *
 * and commit the diff with the change (a reviewer then sees the API change in one place).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedNames } from './api-surface';
import { root } from './repo';

const [main, backend] = exportedNames([join(root, 'packages/core/src/index.ts'), join(root, 'packages/core/src/backend-api.ts')]);

describe('the public API of @tessera/core', () => {
  it("'@tessera/core' exports exactly the names in api/core.api.txt", async () => {
    await expect(main).toMatchFileSnapshot('../api/core.api.txt');
  });

  it("'@tessera/core/backend' exports exactly the names in api/core-backend.api.txt", async () => {
    await expect(backend).toMatchFileSnapshot('../api/core-backend.api.txt');
  });

  it('the backend kit does not re-export the user-facing ops', () => {
    for (const name of ['tensor', 'Tensor', 'tidy', 'noGrad', 'setBackend']) expect(backend).not.toMatch(new RegExp(`^${name} `, 'm'));
  });
});
