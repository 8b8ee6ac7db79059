import { lintConfig } from '@tessera/config/eslint';
export default lintConfig([{ ignores: ['bench-results/**'] }], { picksBackend: true });
