import { testConfig } from '@tessera/config/vitest';
export default testConfig();
