import { lintConfig } from '@tessera/config/eslint';

// assembly/ is AssemblyScript (compiled by scripts/build-wasm.mjs), not TypeScript for this project's tsconfig.
export default [...lintConfig(), { ignores: ['assembly/**', 'src/wasm/kernels.generated.ts'] }];
