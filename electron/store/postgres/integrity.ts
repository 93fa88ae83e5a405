import { z } from 'zod';
import type { IntegrityReport } from '../store.ts';
import type { PgDb } from './db.ts';

const ChecksumRow = z.object({ checksums: z.string(), failures: z.coerce.number().nullable(), last_failure: z.date().nullable(), amcheck: z.coerce.number() });
const IndexRow = z.object({ name: z.string() });

/**
 * What PostgreSQL itself can tell of damage, cheaply: with data checksums on, every page read is checked
 * and a mismatch counted per database (pg_stat_database.checksum_failures), which this reads. With amcheck
 * installed (CREATE EXTENSION amcheck), the schema's B-tree indexes are checked page by page besides
 * (bt_index_check: an index's own structure, under the lock a read takes). Without either nothing here can
 * tell, and the report says so as a warning rather than calling the data intact.
 */
export async function pgIntegrity(db: PgDb): Promise<IntegrityReport> {
  const [row] = await db.read(
    `SELECT current_setting('data_checksums') AS checksums, s.checksum_failures AS failures, s.checksum_last_failure AS last_failure,
       (SELECT count(*) FROM pg_extension WHERE extname = 'amcheck') AS amcheck
     FROM pg_stat_database s WHERE s.datname = current_database()`,
  );
  const facts = ChecksumRow.parse(row);
  const failures = facts.failures ?? 0;
  if (failures > 0) {
    const last = facts.last_failure ? `, the last at ${facts.last_failure.toISOString()}` : '';
    return { ok: false, warning: false, detail: `PostgreSQL counted ${failures} data checksum failure(s) in this database${last}: pages on disk are damaged; see the server's log for which, and restore from a backup` };
  }
  const checked: string[] = [];
  if (facts.checksums === 'on') checked.push('data checksums on, no failure counted');
  if (facts.amcheck > 0) {
    const indexes = await db.query(
      `SELECT c.oid::regclass::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_am a ON a.oid = c.relam WHERE n.nspname = 'jobs' AND a.amname = 'btree' AND c.relpersistence <> 't' ORDER BY 1`,
    );
    const names = indexes.map((r) => IndexRow.parse(r).name);
    for (const name of names) {
      try {
        await db.query('SELECT bt_index_check($1::regclass)', [name]);
      } catch (error) {
        return { ok: false, warning: false, detail: `amcheck found index ${name} damaged: ${error instanceof Error ? error.message : String(error)}; REINDEX INDEX ${name}, and check the server's disk` };
      }
    }
    checked.push(`amcheck: ${names.length} index(es) of schema jobs intact`);
  }
  if (checked.length === 0) {
    return {
      ok: true,
      warning: true,
      detail: "cannot tell: this server's data checksums are off (pg_checksums --enable, with the server stopped) and amcheck is not installed (CREATE EXTENSION amcheck checks the indexes)",
    };
  }
  return { ok: true, warning: false, detail: checked.join('; ') };
}
