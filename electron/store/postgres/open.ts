import { StoreError } from '../errors.ts';
import { checkMigrations, loadMigrations, migrate } from '../migrate.ts';
import type { Store } from '../store.ts';
import { CONNECT_TIMEOUT_MS, PgDb } from './db.ts';
import { connectionError } from './errors.ts';
import { PostgresStore } from './index.ts';
import { postgresMigrationAdapter, restoreDroppedViews } from './migrations.ts';
import { DEFAULT_PG_POOL_MAX } from './poolMax.ts';
import { foreignSchemaError, jobsSchemaOf, noStoreError } from './schemaOwner.ts';

/**
 * Opens (and by default migrates) an opsdeck store on PostgreSQL. Fails fast with a one-line
 * StoreError when the server cannot be reached, refuses the login, or lacks the database. Another
 * application's schema `jobs` is refused whatever the options, before anything is written. `existing`:
 * open only a store that is there already, without migrating it (a command that only reads or controls
 * one), so a database that is not opsdeck's is never given its schema, nor a fleet's store upgraded
 * under workers of the version before.
 */
export async function openPostgresStore(
  url: string,
  opts: { migrate?: boolean; existing?: boolean; poolSize?: number; engineAnswerMs?: number; readAnswerMs?: number } = {},
): Promise<Store> {
  try {
    new URL(url);
  } catch {
    throw new StoreError('bad_location', 'the PostgreSQL URL does not parse', 'write it as postgres://user@host:5432/db');
  }
  const db = new PgDb(url, Math.max(1, Math.trunc(opts.poolSize ?? DEFAULT_PG_POOL_MAX)), opts.engineAnswerMs, opts.readAnswerMs);
  try {
    await db.query('SELECT 1');
    const schema = await jobsSchemaOf(db);
    if (schema.kind === 'foreign') throw foreignSchemaError(url, schema);
    if (opts.existing && schema.kind !== 'opsdeck') throw noStoreError(url);
    const adapter = postgresMigrationAdapter(db);
    if (opts.migrate === false || opts.existing) await checkMigrations(adapter);
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
