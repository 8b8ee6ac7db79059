import { testConfig } from '@tessera/config/vitest';

// One GPU device per test file is enough; files share the software adapter, so run them one at a time.
export default testConfig({ test: { fileParallelism: false, testTimeout: 300_000, hookTimeout: 120_000 } });
