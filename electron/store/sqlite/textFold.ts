import type BetterSqlite3 from 'better-sqlite3';

/**
 * SQLite's lower() folds only ASCII letters, so a search for "échec" missed "ÉCHEC total" (the full-text
 * index folds every letter, the confirming comparison did not). Searches compare text lowered by this
 * function instead, the one JavaScript and PostgreSQL use.
 */
export const FOLD = 'opsdeck_lower';

export function registerTextFold(connection: BetterSqlite3.Database): void {
  connection.function(FOLD, { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : text));
}
