// Shared tsup settings: every package ships ESM + CJS with type declarations.
import { defineConfig } from 'tsup';

/**
 * Build config for a Tessera package.
 * @example
 * // tsup.config.ts
 * import { packageConfig } from '@tessera/config/tsup';
 * export default packageConfig({ entry: ['src/index.ts'] });
 */
export function packageConfig(options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
    treeshake: true,
    ...options,
  });
}
