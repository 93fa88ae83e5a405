import type BetterSqlite3 from 'better-sqlite3';

/**
 * SQLite's lower() folds only ASCII letters, so a search for "échec" missed "ÉCHEC total" (the full-text
 * index folds every letter, the confirming comparison did not). A search with a letter beyond ASCII
 * compares text lowered by this function, the lowering JavaScript and PostgreSQL do; an ASCII one keeps
 * lower(), which finds the same (an ASCII letter only ever comes from an ASCII letter, the Kelvin sign
 * aside) without a call into JavaScript for every row it confirms.
 */
export const FOLD = 'opsdeck_lower';

export function registerTextFold(connection: BetterSqlite3.Database): void {
  connection.function(FOLD, { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));
}

/** `instr(lowered text, lowered search) > 0` for a text column or expression, and a cache key for its shape. */
export function containsFolded(text: string, search: string): { key: string; sql: string } {
  let ascii = true;
  for (let i = 0; i < search.length && ascii; i++) ascii = search.charCodeAt(i) < 128;
  const fold = ascii ? 'lower' : FOLD;
  return { key: ascii ? 'x' : 'X', sql: `instr(${fold}(${text}), ${fold}(?)) > 0` };
}
