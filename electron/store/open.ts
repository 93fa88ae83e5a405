import { existsSync } from 'node:fs';
import { StoreError } from './errors.ts';
import { defaultDbLocation, parseLocation, redactLocation } from './location.ts';
import { pgPoolMax } from './postgres/poolMax.ts';
import { openSqliteStore } from './sqlite/open.ts';
import type { Store } from './store.ts';

export { defaultDbLocation } from './location.ts';
export { PG_POOL_MAX_ENV } from './postgres/poolMax.ts';

export interface OpenStoreOptions {
  /** Apply pending migrations (default true); when false the store still refuses a newer or changed schema. */
  migrate?: boolean;
  /**
   * Open only a store that is there already: a command that only reads or controls a store must not answer
   * a mistyped path with a new, empty and healthy one, nor give opsdeck's schema to a database that is not
   * its own (the application's, as DATABASE_URL names it), nor migrate a store the workers of the version
   * before may be using: migrating is the upgrade they are stopped for (opsdeck migrate). SQLite refuses a
   * file that does not exist, is empty or records no migration, and one behind this opsdeck; PostgreSQL
   * refuses a database without opsdeck's schema, and opens one behind as it is.
   */
  mustExist?: boolean;
  /** Where OPSDECK_PG_POOL_MAX is read (process.env unless given). */
  env?: Record<string, string | undefined>;
}

/**
 * Opens the store a location names: a file path or sqlite: URL (SQLite, created if missing), or a
 * postgres:// / postgresql:// URL. Every failure is a StoreError with a one-line message.
 */
export async function openStore(location: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const parsed = parseLocation(location);
  if (parsed.dialect === 'sqlite') {
    if (opts.mustExist && parsed.path !== ':memory:' && !existsSync(parsed.path)) {
      // The default store looked for while DATABASE_URL is set: the operator most likely meant that one. That
      // opsdeck does not read it the command has just warned: said here is how to use it.
      const env = opts.env ?? process.env;
      const unread = env.DATABASE_URL?.trim() && parsed.path === defaultDbLocation(env) ? '; to use the database DATABASE_URL names, pass it as --db "$DATABASE_URL"' : '';
      throw new StoreError('no_database', `there is no opsdeck store at ${parsed.path}: the file does not exist${unread}`, 'check the path (--db, OPSDECK_DB); a worker, serve, enqueue or opsdeck migrate creates a new store');
    }
    return openSqliteStore(parsed.path, { migrate: opts.migrate ?? true, existing: opts.mustExist ?? false });
  }
  // A bad pool size is refused before the driver loads or a connection opens.
  const poolSize = pgPoolMax(opts.env ?? process.env);
  // Loaded on demand: a desktop on SQLite never pays for the pg driver.
  const postgres = await import('./postgres/open.ts').catch((cause: unknown) => {
    throw new StoreError('unavailable', `this build cannot open PostgreSQL stores (${redactLocation(parsed.url)})`, 'use a SQLite file, or reinstall opsdeck', { cause });
  });
  return postgres.openPostgresStore(parsed.url, { migrate: opts.migrate ?? true, existing: opts.mustExist ?? false, poolSize });
}
