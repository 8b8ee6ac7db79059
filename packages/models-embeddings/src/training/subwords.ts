/**
 * FastText's subwords: the character n-grams of a word wrapped in boundary markers (`<whale>` gives
 * `<wh`, `wha`, …, `ale>`, `<wha`, …), hashed into a fixed number of buckets with 32-bit FNV-1a over
 * their UTF-8 bytes exactly as fastText hashes them (each byte sign-extended first, as fastText's
 * `int8_t` cast does), so a word never seen in training still has a vector: the mean of its n-grams'.
 */

const encoder = new TextEncoder();

/**
 * fastText's hash of a string: FNV-1a 32-bit over the UTF-8 bytes, bytes ≥ 0x80 sign-extended.
 * @example
 * fastTextHash('<wh'); // an unsigned 32-bit integer
 */
export function fastTextHash(text: string): number {
  let hash = 2166136261;
  for (const byte of encoder.encode(text)) {
    hash = Math.imul(hash ^ (byte >= 0x80 ? byte | 0xffffff00 : byte), 16777619);
  }
  return hash >>> 0;
}

/**
 * The n-grams of `<word>` with minN ≤ n ≤ maxN characters (code points), in fastText's order; the lone
 * boundary markers are not n-grams, the whole `<word>` is when it is short enough.
 * @example
 * characterNgrams('sea', 3, 4); // ['<se', '<sea', 'sea', 'sea>', 'ea>']
 */
export function characterNgrams(word: string, minN: number, maxN: number): string[] {
  const chars = Array.from(`<${word}>`);
  const ngrams: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    let ngram = '';
    for (let n = 1, j = i; j < chars.length && n <= maxN; n++) {
      ngram += chars[j++];
      if (n >= minN && !(n === 1 && (i === 0 || j === chars.length))) ngrams.push(ngram);
    }
  }
  return ngrams;
}

/**
 * The buckets of a word's n-grams (`hash % bucket`, repeats kept, as fastText).
 * @example
 * subwordBuckets('whale', 3, 6, 2_000_000); // Int32Array of 18 bucket ids
 */
export function subwordBuckets(word: string, minN: number, maxN: number, bucket: number): Int32Array {
  if (bucket === 0 || maxN < minN) return new Int32Array(0);
  return Int32Array.from(characterNgrams(word, minN, maxN), (ngram) => fastTextHash(ngram) % bucket);
}
