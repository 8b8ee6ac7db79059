import type { Linter } from 'eslint';
/** Options of {@link lintConfig}. */
export interface LintOptions {
  /** An app or tool that chooses a backend itself (examples, benchmarks); libraries leave it off. */
  picksBackend?: boolean;
}
/** Lint config for a Tessera package (with the layering rule on `src/`). */
export declare function lintConfig(extra?: Linter.Config[], options?: LintOptions): Linter.Config[];
