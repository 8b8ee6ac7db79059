import { testConfig } from '@tessera/config/vitest';
export default testConfig({ test: { testTimeout: 300_000 } });
