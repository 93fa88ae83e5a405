import { defaultDbLocation } from '../store/location.ts';

/**
 * The runbooks' variable is DATABASE_URL, and opsdeck does not read it: it is most often another
 * application's database, which a command would otherwise be pointed at unasked. When it is set and no
 * store was given (--db, OPSDECK_DB, whose value `db` already holds), the line that says opsdeck uses its
 * default store instead; null otherwise.
 */
export function databaseUrlNotice(db: string | undefined, env: Record<string, string | undefined>): string | null {
  if (db !== undefined || !env.DATABASE_URL?.trim()) return null;
  return `DATABASE_URL is set but opsdeck reads its store from --db or OPSDECK_DB; using ${defaultDbLocation(env)}`;
}
