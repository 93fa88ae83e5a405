import type { DlqSelector, JobFilter } from '../../shared/domain.ts';
import { StoreInputError } from './errors.ts';

/**
 * Keyset cursors, opaque to callers (base64url) so nobody builds OFFSET-style pages by hand. Shared by both
 * dialects. Three kinds: the last id of a page listed newest id first (`id:N`), the last creation time and
 * id of a page listed newest created first (`c:TIME:N`, a listing with a creation-time range, see
 * `listsByCreation`), and the last failure time and id of a dead-letter group listed newest failure first
 * (`f:TIME:N`, see `listsByFailure`). A cursor of another kind is refused like one we did not make:
 * continuing one order from another's position would skip or repeat jobs.
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`id:${lastId}`, 'utf8').toString('base64url');
}

/** `createdAt` is the creation time exactly as the store holds it (to the microsecond on PostgreSQL). */
export function encodeCreatedCursor(createdAt: string, lastId: number): string {
  return Buffer.from(`c:${createdAt}:${lastId}`, 'utf8').toString('base64url');
}

export interface CreatedPosition {
  created_at: string;
  id: number;
}

function refusal(cursor: string): StoreInputError {
  return new StoreInputError(`invalid page cursor "${cursor.slice(0, 40)}": pass the next_cursor of the previous page, or none for the first page`);
}

function cursorText(cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(cursor)) throw refusal(cursor);
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

function idOf(text: string | undefined, cursor: string): number {
  const id = text === undefined ? NaN : Number(text);
  if (!Number.isSafeInteger(id) || id < 1) throw refusal(cursor);
  return id;
}

/** The id to continue below, or null for the first page; a cursor we did not make is refused. */
export function decodeCursor(cursor: string | null | undefined): number | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  return idOf(/^id:(\d{1,16})$/.exec(cursorText(cursor))?.[1], cursor);
}

/** A time and an id after the cursor's kind letter: `c` for creation, `f` for failure. */
function timedPosition(kind: 'c' | 'f', cursor: string): { at: string; id: number } {
  const match = /^([cf]):(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z):(\d{1,16})$/.exec(cursorText(cursor));
  if (match?.[1] !== kind || match[2] === undefined || !Number.isFinite(Date.parse(match[2]))) throw refusal(cursor);
  return { at: match[2], id: idOf(match[3], cursor) };
}

/** The creation time and id to continue below, or null for the first page; any other cursor is refused. */
export function decodeCreatedCursor(cursor: string | null | undefined): CreatedPosition | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const { at, id } = timedPosition('c', cursor);
  return { created_at: at, id };
}

/** `failedAt` is the failure time exactly as the store holds it (to the microsecond on PostgreSQL). */
export function encodeFailedCursor(failedAt: string, lastId: number): string {
  return Buffer.from(`f:${failedAt}:${lastId}`, 'utf8').toString('base64url');
}

export interface FailedPosition {
  failed_at: string;
  id: number;
}

/** The failure time and id to continue below, or null for the first page; any other cursor is refused. */
export function decodeFailedCursor(cursor: string | null | undefined): FailedPosition | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const { at, id } = timedPosition('f', cursor);
  return { failed_at: at, id };
}

/**
 * Whether a dead-letter listing goes newest failure first, by (failure time, id): one group's, a fingerprint
 * and nothing else, as the console lists a group under its Failed column; both dialects keep an index of
 * each group's open dead letters by failure time. Any other selector comes newest id first.
 */
export function listsByFailure(selector: DlqSelector): selector is DlqSelector & { fingerprint: string } {
  const { fingerprint, ...rest } = selector;
  return fingerprint !== undefined && Object.values(rest).every((value) => value === undefined || value === '');
}

/** As checkJobCursor, for a dead-letter listing of `selector`. */
export function checkDlqCursor(selector: DlqSelector, cursor: string | null | undefined): void {
  if (listsByFailure(selector)) decodeFailedCursor(cursor);
  else decodeCursor(cursor);
}

/**
 * Whether a job listing goes newest created first, by (created_at, id): one with a creation-time range,
 * walked through the creation-time index, so a range long past is found at once instead of after every
 * newer job. A text search or a failure class keeps its own candidates (the trigram index, the attempts'
 * class index), which come newest id first.
 */
export function listsByCreation(filter: JobFilter): boolean {
  const ranged = filter.created_after !== undefined || filter.created_before !== undefined;
  return ranged && (filter.search ?? '') === '' && filter.error_class === undefined;
}

/**
 * Refuses a cursor a job listing of `filter` did not make, before the listing answers an empty page without
 * reading one (the kept counts say nothing matches): a malformed or foreign cursor is refused whether or
 * not any job matches, as jobs.list and dlq.list refuse it when they read a page.
 */
export function checkJobCursor(filter: JobFilter, cursor: string | null | undefined): void {
  if (listsByCreation(filter)) decodeCreatedCursor(cursor);
  else decodeCursor(cursor);
}

/** Page sizes are clamped so one request can never ask for the whole table. */
export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return 100;
  return Math.min(1000, Math.max(1, Math.trunc(limit)));
}
