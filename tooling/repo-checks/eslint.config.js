import { lintConfig } from '@tessera/config/eslint';
// The fixtures are deliberately wrong code that the layering test lints on purpose.
export default lintConfig([{ ignores: ['test/fixtures/**'] }]);
