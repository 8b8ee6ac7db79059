import { defineConfig } from 'tsup';

// One ESM file for Node. Frameworks stay external so the harness uses exactly the installed
// builds (and the wasm backend finds its .wasm files next to its own package).
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: false,
  external: [/^@tensorflow\//, /^@tessera\//],
});
