/**
 * "Did you mean" for a mistyped key or name: the closest known one by edit distance, as git and
 * cargo suggest a command. No dependencies, so validators anywhere can use it.
 */

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * ` (did you mean "rate"?)` for the closest candidate a typo could have come from (two edits, or a
 * third of a long word's letters; case ignored); '' when none is close.
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3));
  for (const candidate of candidates) {
    // The lengths' difference is a lower bound of the distance: most candidates end here.
    if (Math.abs(candidate.length - word.length) > bestDistance) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    // A distance as long as either word is a replacement, not a typo (`id` is not a typo of `tls`).
    if (distance >= Math.min(word.length, candidate.length)) continue;
    if (distance <= bestDistance && candidate !== word && (best === undefined || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}
