// Shared ESLint 9 flat config (typescript-eslint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Lint config for a Tessera package.
 * @example
 * // eslint.config.js
 * import { lintConfig } from '@tessera/config/eslint';
 * export default lintConfig();
 */
export function lintConfig(extra = []) {
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
    ...extra,
  );
}
