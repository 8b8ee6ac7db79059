import { lintConfig } from '@tessera/config/eslint';
export default lintConfig();
