import { packageConfig } from '@tessera/config/tsup';
export default packageConfig({ entry: ['src/index.ts', 'src/backend-api.ts', 'src/testing.ts'] });
