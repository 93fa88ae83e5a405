import { StoreInputError } from './errors.ts';

/**
 * Keyset cursors: the last id of a page, opaque to callers (base64url) so nobody builds OFFSET-style
 * pages by hand. Shared by both dialects.
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`id:${lastId}`, 'utf8').toString('base64url');
}

/** The id to continue below, or null for the first page; a cursor we did not make is refused. */
export function decodeCursor(cursor: string | null | undefined): number | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const bad = () => new StoreInputError(`invalid page cursor "${cursor.slice(0, 40)}": pass the next_cursor of the previous page, or none for the first page`);
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) throw bad();
  const match = /^id:(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match?.[1] === undefined ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(id) || id < 1) throw bad();
  return id;
}

/** Page sizes are clamped so one request can never ask for the whole table. */
export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return 100;
  return Math.min(1000, Math.max(1, Math.trunc(limit)));
}
