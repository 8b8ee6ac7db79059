import type { Options } from 'tsup';
/** Build config for a Tessera package (ESM + CJS + .d.ts). */
export declare function packageConfig(options?: Options): ReturnType<typeof import('tsup').defineConfig>;
