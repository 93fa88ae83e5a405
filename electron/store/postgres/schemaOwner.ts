import { z } from 'zod';
import { StoreError } from '../errors.ts';
import type { PgDb } from './db.ts';
import { databaseOf, serverOf } from './errors.ts';

/** What the schema `jobs` of a database is: absent, opsdeck's (it has opsdeck's migration record), or another's. */
export type JobsSchema = { kind: 'absent' } | { kind: 'opsdeck' } | { kind: 'empty' } | { kind: 'foreign'; objects: number; names: string[] };

const SchemaRow = z.object({ schema: z.boolean(), record: z.boolean(), objects: z.number(), names: z.array(z.string()).nullable() });

/** How many of another application's objects a refusal names; the count says how many there are in all. */
const NAMED = 5;

/**
 * Reads the catalogs, which every role may read, rather than the schema itself: a role without USAGE on
 * `jobs` is told what it lacks by the statements that follow, not mistaken for a database without a store.
 * The migration record is the mark of opsdeck's schema: the migration runner creates it with the schema,
 * in one transaction, before anything else (postgresMigrationAdapter.ensureTable).
 */
export async function jobsSchemaOf(db: PgDb): Promise<JobsSchema> {
  const rows = await db.query(
    `SELECT n.oid IS NOT NULL AS schema,
       EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = 'opsdeck_migrations') AS record,
       (SELECT count(*)::int FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))
         + (SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = n.oid) AS objects,
       (SELECT array_agg(name ORDER BY name) FROM (
          SELECT c.relname::text AS name FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          ORDER BY c.relname LIMIT ${NAMED}) AS named) AS names
     FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = 'jobs'`,
  );
  const row = SchemaRow.parse(rows[0]);
  if (!row.schema) return { kind: 'absent' };
  if (row.record) return { kind: 'opsdeck' };
  // Made by hand for opsdeck (a DBA creating the schema and granting the role before the first worker):
  // nothing of anybody's is in it, so opsdeck may build there.
  if (row.objects === 0) return { kind: 'empty' };
  return { kind: 'foreign', objects: row.objects, names: row.names ?? [] };
}

/** Where a refusal says it looked: database walkx at 127.0.0.1:5432. */
function whereOf(url: string): string {
  return `database ${databaseOf(url)} at ${serverOf(url)}`;
}

/**
 * Another application's schema `jobs` is never opsdeck's to write into, whichever command opens it: the
 * migrations would add opsdeck's tables among that application's, and every read would answer from them.
 */
export function foreignSchemaError(url: string, found: { objects: number; names: string[] }): StoreError {
  const more = found.objects > found.names.length ? ` and ${found.objects - found.names.length} more` : '';
  const named = found.names.length > 0 ? ` (${found.names.map((n) => `jobs.${n}`).join(', ')}${more})` : '';
  return new StoreError(
    'not_opsdeck',
    `the schema jobs in ${whereOf(url)} is not opsdeck's: it holds ${found.objects} table(s), view(s) or function(s)${named} and no jobs.opsdeck_migrations`,
    'opsdeck writes nothing there; point --db (or OPSDECK_DB) at a database of its own (createdb opsdeck), or rename that schema',
  );
}

/** A database without opsdeck's schema, opened by a command that only reads or controls a store: in the words of SQLite's missing file. */
export function noStoreError(url: string): StoreError {
  return new StoreError(
    'no_store',
    `there is no opsdeck store in ${whereOf(url)}: it has no jobs.opsdeck_migrations table`,
    'check the URL (--db, OPSDECK_DB); a worker, serve, enqueue or opsdeck migrate creates a new store',
  );
}
