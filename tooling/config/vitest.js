// Shared vitest settings. Each package writes a JSON report that .ci/run sums into "N passed, N failed".
import { defineConfig } from 'vitest/config';

/**
 * Test config for a Tessera package.
 * @example
 * // vitest.config.ts
 * import { testConfig } from '@tessera/config/vitest';
 * export default testConfig();
 */
export function testConfig(options = {}) {
  const { test = {}, ...rest } = options;
  return defineConfig({
    ...rest,
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
      ...test,
    },
  });
}
