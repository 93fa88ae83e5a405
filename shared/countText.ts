const counts = new Intl.NumberFormat('en-US');

/**
 * A count as every interface writes it, the API's sentences too: thousands separated (20,000, not 20000),
 * the same whatever the reader's locale, as the console's tables and tiles write theirs.
 */
export function countText(n: number): string {
  return counts.format(n);
}

/** A count with its noun, one or more: `1 call`, `2 calls`, `20,000 calls`. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${countText(n)} ${n === 1 ? one : many}`;
}
