import type { MigrationAdapter, MigrationTx } from '../migrate.ts';
import { appliedOn } from './applied.ts';
import type { PgDb, Queryable } from './db.ts';
import { rowsOf } from './db.ts';

/**
 * The PostgreSQL side of the shared migration runner. Every step holds one transaction-scoped advisory
 * lock, so workers starting at the same moment migrate one after the other instead of racing.
 */
const LOCK_KEY = 7_305_183_140; // "opsdeck" migrations; any fixed bigint works, it only has to be ours.

export function postgresMigrationAdapter(db: PgDb): MigrationAdapter {
  const locked = <T>(fn: (client: Queryable) => Promise<T>) =>
    db.tx(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      return fn(client);
    });
  return {
    dialect: 'postgres',
    location: db.location,
    ensureTable: () =>
      locked(async (client) => {
        await client.query(`CREATE SCHEMA IF NOT EXISTS jobs;
          CREATE TABLE IF NOT EXISTS jobs.opsdeck_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
          )`);
      }),
    // Bounded: a readiness probe asks this, and must not hang on a connection that died without a word.
    applied: () => appliedOn((sql) => db.read(sql)),
    transaction: (fn) =>
      locked((client) => {
        const tx: MigrationTx = {
          exec: async (sql) => {
            await client.query(sql);
          },
          applied: () => appliedOn((sql) => rowsOf(client, sql)),
          record: async (m) => {
            await client.query('INSERT INTO jobs.opsdeck_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
          },
        };
        return fn(tx);
      }),
  };
}

const VIEW_DEFINITION = /CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+jobs\.([a-z_]+)\s+AS\s[^;]*;/gi;

/**
 * The runbook's fix for missing metrics is "DROP VIEW IF EXISTS jobs.v_execution_performance_by_type;
 * rerun schema generation". Migrations run once, so migrating puts back any view of ours that was
 * dropped, from its latest definition in the migrations. Returns the names it restored.
 */
export async function restoreDroppedViews(db: PgDb, files: Array<{ sql: string }>): Promise<string[]> {
  const latest = new Map<string, string>();
  for (const file of files) {
    for (const match of file.sql.matchAll(VIEW_DEFINITION)) {
      if (match[1]) latest.set(match[1], match[0]);
    }
  }
  if (latest.size === 0) return [];
  // Nearly every open finds them all: one read then, and no lock that would queue it behind a migration.
  const names = [...latest.keys()];
  const missing = await db.query(`SELECT v FROM unnest($1::text[]) AS v WHERE to_regclass('jobs.' || v) IS NULL`, [names]);
  if (missing.length === 0) return [];
  return db.tx(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const restored: string[] = [];
    for (const [name, definition] of latest) {
      const rows = await rowsOf(client, 'SELECT to_regclass($1) IS NULL AS missing', [`jobs.${name}`]);
      if (rows[0]?.missing !== true) continue;
      await client.query(definition);
      restored.push(name);
    }
    return restored;
  });
}
