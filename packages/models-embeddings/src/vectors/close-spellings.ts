/**
 * Vocabulary words within a small edit distance of a word, for "did you mean" hints in errors.
 */

/** Up to `max` vocabulary words at Levenshtein distance ≤ 2 from `word`, closest (then earliest) first. */
export function closeSpellings(word: string, vocabulary: readonly string[], max = 3): string[] {
  const found: { word: string; distance: number }[] = [];
  for (const candidate of vocabulary) {
    if (Math.abs(candidate.length - word.length) > 2) continue;
    const distance = boundedEditDistance(word, candidate, 2);
    if (distance <= 2) found.push({ word: candidate, distance });
  }
  return found
    .sort((a, b) => a.distance - b.distance)
    .slice(0, max)
    .map((entry) => entry.word);
}

/** Levenshtein distance of `a` and `b` (UTF-16 units), or `bound + 1` once it must exceed `bound`. */
export function boundedEditDistance(a: string, b: string, bound: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      best = Math.min(best, current[j]);
    }
    if (best > bound) return bound + 1;
    previous = current;
  }
  return previous[b.length];
}
