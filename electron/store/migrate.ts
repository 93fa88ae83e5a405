import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { StoreError } from './errors.ts';
import type { MigrationStatus } from './store.ts';

export type Dialect = 'sqlite' | 'postgres';

/** One file of migrations/<dialect>/, e.g. 0001_init.sql → version 1, name "init". */
export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** A row of opsdeck_migrations. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/** What a migration needs from one open transaction of its dialect. */
export interface MigrationTx {
  exec(sql: string): Promise<void>;
  applied(): Promise<AppliedMigration[]>;
  record(migration: AppliedMigration): Promise<void>;
}

/**
 * The few things migrate() needs from a database; each dialect supplies its own (SQL differs, the
 * bookkeeping does not). `transaction` must keep two migrating processes apart (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: an advisory lock) and roll back if `fn` throws.
 */
export interface MigrationAdapter {
  readonly dialect: Dialect;
  /** Where the database is, for messages: safe to print. */
  readonly location: string;
  /** Creates opsdeck_migrations if it is missing. */
  ensureTable(): Promise<void>;
  /** The applied migrations, or [] when the table does not exist yet (without creating it). */
  applied(): Promise<AppliedMigration[]>;
  transaction<T>(fn: (tx: MigrationTx) => Promise<T>): Promise<T>;
}

/** migrations/<dialect>/ of this checkout, found from this file so the working directory never matters. */
export function migrationsDir(dialect: Dialect): string {
  return fileURLToPath(new URL(`../../migrations/${dialect}/`, import.meta.url));
}

/** Line endings are folded so a checkout with CRLF does not look like a changed migration. */
export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export async function loadMigrations(dialect: Dialect, dir = migrationsDir(dialect)): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new StoreError('unavailable', `cannot read the ${dialect} migrations in ${dir}`, 'reinstall opsdeck: its migrations folder is missing', { cause });
  }
  const files: MigrationFile[] = [];
  for (const file of names.sort()) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match?.[1] || !match[2]) continue;
    const sql = await readFile(join(dir, file), 'utf8');
    files.push({ version: Number(match[1]), name: match[2], sql, checksum: checksum(sql) });
  }
  const versions = files.map((f) => f.version);
  if (new Set(versions).size !== versions.length) {
    throw new StoreError('unavailable', `two ${dialect} migrations in ${dir} share a number`, 'reinstall opsdeck');
  }
  return files;
}

/**
 * Refuses a database this build must not touch: migrated by a newer opsdeck, or with an applied
 * migration whose file has changed since (or is gone). Returns the migrations still to apply.
 */
export function pendingMigrations(files: MigrationFile[], applied: AppliedMigration[], location: string): MigrationFile[] {
  const known = new Map(files.map((f) => [f.version, f]));
  const newest = files.reduce((n, f) => Math.max(n, f.version), 0);
  for (const row of applied) {
    const file = known.get(row.version);
    if (row.version > newest) {
      throw new StoreError(
        'newer_schema',
        `the database ${location} was migrated by a newer opsdeck (schema ${row.version}, this build knows ${newest})`,
        'upgrade opsdeck, or point it at another database',
      );
    }
    if (!file || file.checksum !== row.checksum) {
      throw new StoreError(
        'migration_changed',
        `migration ${String(row.version).padStart(4, '0')}_${row.name} applied to ${location} differs from this build's copy`,
        'restore the original migration file, or use a build that matches this database',
      );
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return files.filter((f) => !done.has(f.version));
}

/** Applies every pending migration in order, each in its own transaction; returns the versions applied. */
export async function migrate(adapter: MigrationAdapter, dir?: string): Promise<number[]> {
  const files = await loadMigrations(adapter.dialect, dir);
  const pending = pendingMigrations(files, await adapter.applied(), adapter.location);
  // Nothing to apply, nothing written: every open of an up-to-date store (each CLI command) would
  // otherwise take the write lock once per migration, and wait behind a worker's writes to only read.
  if (pending.length === 0) return [];
  await adapter.ensureTable();
  const appliedNow: number[] = [];
  for (const file of pending) {
    const landed = await adapter.transaction(async (tx) => {
      // Re-read inside the lock: another process may have migrated while we waited for it.
      const pending = pendingMigrations(files, await tx.applied(), adapter.location);
      if (!pending.some((p) => p.version === file.version)) return false;
      await tx.exec(file.sql);
      await tx.record({ version: file.version, name: file.name, checksum: file.checksum });
      return true;
    });
    if (landed) appliedNow.push(file.version);
  }
  return appliedNow;
}

/** How the database stands against this build; throws the same refusals as migrate(). */
export async function migrationStatusOf(adapter: MigrationAdapter, dir?: string): Promise<MigrationStatus> {
  const files = await loadMigrations(adapter.dialect, dir);
  const applied = await adapter.applied();
  let pending: MigrationFile[];
  try {
    pending = pendingMigrations(files, applied, adapter.location);
  } catch (error) {
    if (error instanceof StoreError) return { applied: applied.length, pending: 0, current: false };
    throw error;
  }
  return { applied: applied.length, pending: pending.length, current: pending.length === 0 };
}

/** Throws the refusal, if any, without changing anything: for opening a store with migrate off. */
export async function checkMigrations(adapter: MigrationAdapter, dir?: string): Promise<void> {
  pendingMigrations(await loadMigrations(adapter.dialect, dir), await adapter.applied(), adapter.location);
}
