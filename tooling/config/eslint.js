// Shared ESLint 9 flat config (typescript-eslint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering rule of ARCHITECTURE.md, as lint: package sources never reach into core's internals,
 * and library sources never import a concrete backend (apps, examples and tests pick one).
 * Only `src/` is checked, so a package's tests may import the backend they run on.
 */
function layeringRule({ picksBackend }) {
  const patterns = [
    {
      group: ['@tessera/core/src', '@tessera/core/src/*', '@tessera/core/dist', '@tessera/core/dist/*'],
      message: "core's internals are not an API: import from '@tessera/core' (users) or '@tessera/core/backend' (backend authors).",
    },
  ];
  if (!picksBackend) {
    patterns.push({
      group: ['@tessera/backend-*'],
      message: 'library code runs on whatever backend the user chose: import from @tessera/core only; apps, examples and tests pick a backend.',
    });
  }
  return { files: ['src/**/*.ts', 'src/**/*.tsx', 'src/**/*.mts', 'src/**/*.js'], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

/**
 * Lint config for a Tessera package. `picksBackend: true` is for apps and tools that choose a
 * backend themselves (examples, benchmarks); every library package leaves it off.
 * @example
 * // eslint.config.js
 * import { lintConfig } from '@tessera/config/eslint';
 * export default lintConfig();
 * // an app: export default lintConfig([], { picksBackend: true });
 */
export function lintConfig(extra = [], { picksBackend = false } = {}) {
  return tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', 'test-results/**', '*.config.*'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      rules: {
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/no-explicit-any': 'off',
        '@typescript-eslint/no-non-null-assertion': 'off',
        'no-constant-condition': ['error', { checkLoops: false }],
        'prefer-const': 'error',
        eqeqeq: ['error', 'always', { null: 'ignore' }],
      },
    },
    layeringRule({ picksBackend }),
    ...extra,
  );
}
