import { StoreError } from '../errors.ts';
import { checkMigrations, loadMigrations, migrate } from '../migrate.ts';
import type { Store } from '../store.ts';
import { CONNECT_TIMEOUT_MS, PgDb } from './db.ts';
import { connectionError } from './errors.ts';
import { PostgresStore } from './index.ts';
import { postgresMigrationAdapter, restoreDroppedViews } from './migrations.ts';
import { DEFAULT_PG_POOL_MAX } from './poolMax.ts';

/**
 * Opens (and by default migrates) an opsdeck store on PostgreSQL. Fails fast with a one-line
 * StoreError when the server cannot be reached, refuses the login, or lacks the database.
 */
export async function openPostgresStore(
  url: string,
  opts: { migrate?: boolean; poolSize?: number; engineAnswerMs?: number; readAnswerMs?: number } = {},
): Promise<Store> {
  try {
    new URL(url);
  } catch {
    throw new StoreError('bad_location', 'the PostgreSQL URL does not parse', 'write it as postgres://user@host:5432/db');
  }
  const db = new PgDb(url, Math.max(1, Math.trunc(opts.poolSize ?? DEFAULT_PG_POOL_MAX)), opts.engineAnswerMs, opts.readAnswerMs);
  try {
    await db.query('SELECT 1');
    const adapter = postgresMigrationAdapter(db);
    if (opts.migrate === false) await checkMigrations(adapter);
    else {
      await migrate(adapter);
      await restoreDroppedViews(db, await loadMigrations('postgres'));
    }
  } catch (err) {
    await db.close();
    throw connectionError(err, url, CONNECT_TIMEOUT_MS, db.poolSize) ?? err;
  }
  return new PostgresStore(db);
}
