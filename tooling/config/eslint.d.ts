import type { Linter } from 'eslint';
/** Lint config for a Tessera package. */
export declare function lintConfig(extra?: Linter.Config[]): Linter.Config[];
