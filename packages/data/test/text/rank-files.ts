import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type RankFileName = 'r50k_base' | 'p50k_base' | 'cl100k_base' | 'o200k_base';

/** tiktoken's plain rank file for an encoding, as gpt-tokenizer ships it (`data/*.tiktoken`). */
export function rankFile(name: RankFileName): string {
  return readFileSync(require.resolve(`gpt-tokenizer/data/${name}.tiktoken`), 'utf8');
}
