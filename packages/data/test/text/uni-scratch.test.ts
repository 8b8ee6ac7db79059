import { it } from 'vitest';
import { UnigramTokenizer } from '../../src/text/unigram/tokenizer';
import { WordPieceTokenizer } from '../../src/text/wordpiece/tokenizer';
import { mobyDick } from './stress';
it('scratch', () => {
  const text = mobyDick();
  const words = text.split(/\s+/).filter((w) => w.length > 0).length;
  let t0 = performance.now();
  const uni = UnigramTokenizer.train(text, { vocabSize: 8000, byteFallback: false });
  console.log('unigram train ms', performance.now() - t0, 'vocab', uni.vocabSize);
  const ids = uni.encode(text);
  console.log('unigram tokens/word', ids.length / words, uni.decode(uni.encode('Call me Ishmael. naïve 🐋')));
  t0 = performance.now();
  const wp = WordPieceTokenizer.train(text, { vocabSize: 8000 });
  console.log('wp train ms', performance.now() - t0, wp.vocabSize, wp.encodeFull('Call me Ishmael, unfathomable!').tokens);
}, 300000);
