import { existsSync } from 'node:fs';
import { StoreError } from './errors.ts';
import { parseLocation, redactLocation } from './location.ts';
import { pgPoolMax } from './postgres/poolMax.ts';
import { openSqliteStore } from './sqlite/open.ts';
import type { Store } from './store.ts';

export { defaultDbLocation } from './location.ts';
export { PG_POOL_MAX_ENV } from './postgres/poolMax.ts';

export interface OpenStoreOptions {
  /** Apply pending migrations (default true); when false the store still refuses a newer or changed schema. */
  migrate?: boolean;
  /**
   * Refuse a SQLite file that does not exist yet instead of creating it: a command that only reads or
   * controls a store must not answer a mistyped path with a new, empty and healthy one.
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
      throw new StoreError('no_database', `there is no opsdeck store at ${parsed.path}: the file does not exist`, 'check the path (--db, OPSDECK_DB); a worker, serve or enqueue creates a new store');
    }
    return openSqliteStore(parsed.path, { migrate: opts.migrate ?? true });
  }
  // A bad pool size is refused before the driver loads or a connection opens.
  const poolSize = pgPoolMax(opts.env ?? process.env);
  // Loaded on demand: a desktop on SQLite never pays for the pg driver.
  const postgres = await import('./postgres/open.ts').catch((cause: unknown) => {
    throw new StoreError('unavailable', `this build cannot open PostgreSQL stores (${redactLocation(parsed.url)})`, 'use a SQLite file, or reinstall opsdeck', { cause });
  });
  return postgres.openPostgresStore(parsed.url, { migrate: opts.migrate ?? true, poolSize });
}
