/**
 * Code-point stepping shared by every regex loop over user text (split patterns, pre-tokenizers,
 * normalizers, added tokens).
 */

/**
 * The index just past the code point at `index`: where a global `u` regex must resume after an empty
 * match (one code unit would land inside a surrogate pair, where V8 moves `lastIndex` back — a hang).
 * @example
 * afterCodePoint('😀x', 0) // 2
 */
export function afterCodePoint(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
    const low = text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return index + 2;
  }
  return index + 1;
}
