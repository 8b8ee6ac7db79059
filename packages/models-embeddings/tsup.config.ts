import { packageConfig } from '@tessera/config/tsup';
export default packageConfig({ entry: ['src/index.ts'] });
