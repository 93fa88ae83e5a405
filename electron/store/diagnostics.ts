import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { z } from 'zod';
import type { StoreDiagnostics } from '../../shared/diagnosis.ts';
import { parseLocation } from './location.ts';

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*[\r\n]+\s*/g, ' ');
}

function fileSize(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // that part does not exist
    }
  }
  return total;
}

const VersionRow = z.object({ v: z.string() });
const ShowVersionRow = z.object({ server_version: z.string() });
const SizeRow = z.object({ size: z.coerce.number() });
const ExtRow = z.object({ n: z.coerce.number() });
const SlowRow = z.object({ query: z.string(), calls: z.coerce.number(), mean_ms: z.coerce.number(), total_ms: z.coerce.number() });

function sqliteDiagnostics(path: string): StoreDiagnostics {
  const notes = ['SQLite keeps no query statistics: slowest queries are not available'];
  let version: string | null = null;
  try {
    const db = new Database(':memory:');
    try {
      version = VersionRow.parse(db.prepare('SELECT sqlite_version() AS v').get()).v;
    } finally {
      db.close();
    }
  } catch (error) {
    notes.push(`version unknown: ${message(error)}`);
  }
  return { dialect: 'sqlite', server_version: version, size_bytes: path === ':memory:' ? null : fileSize(path), slow_queries: null, notes };
}

async function postgresDiagnostics(url: string): Promise<StoreDiagnostics> {
  const notes: string[] = [];
  // Loaded here, as open.ts loads the PostgreSQL store: a command on an SQLite file never needs the driver.
  const { Client } = (await import('pg')).default;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const version = ShowVersionRow.parse((await client.query('SHOW server_version')).rows[0]).server_version;
    const size = SizeRow.parse((await client.query('SELECT pg_database_size(current_database()) AS size')).rows[0]).size;
    let slow: StoreDiagnostics['slow_queries'] = null;
    const ext = ExtRow.parse((await client.query("SELECT count(*) AS n FROM pg_extension WHERE extname = 'pg_stat_statements'")).rows[0]).n;
    if (ext === 0) notes.push('pg_stat_statements is not installed: CREATE EXTENSION pg_stat_statements (and preload it) to see the slowest queries');
    else {
      try {
        const rows = await client.query(
          `SELECT left(query, 500) AS query, calls, mean_exec_time AS mean_ms, total_exec_time AS total_ms
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY mean_exec_time DESC LIMIT 10`,
        );
        slow = rows.rows.map((r) => SlowRow.parse(r));
      } catch (error) {
        notes.push(`pg_stat_statements is installed but cannot be read: ${message(error)}`);
      }
    }
    notes.push(...(await dispatchDrift(client)));
    return { dialect: 'postgres', server_version: version, size_bytes: size, slow_queries: slow, notes };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const DriftRow = z.object({ unready: z.coerce.number(), untracked: z.coerce.number() });

/**
 * Jobs whose status was changed by hand (an UPDATE on jobs.tb_job_run) without the tables workers
 * dispatch and watch from: a pending job missing from jobs.tb_job_ready is never claimed, a running
 * one no lease row of its worker names (jobs.tb_job_lease) is never taken back. Each note says how to put
 * them back.
 */
async function dispatchDrift(client: pg.Client): Promise<string[]> {
  try {
    const drift = DriftRow.parse(
      (
        await client.query(`SELECT
          (SELECT count(*) FROM jobs.tb_job_run j WHERE j.status = 'pending' AND NOT EXISTS (
            SELECT 1 FROM jobs.tb_job_ready r WHERE r.job_id = j.id AND r.priority = j.priority AND r.run_at = j.run_at)) AS unready,
          (SELECT count(*) FROM jobs.tb_job_run j WHERE j.status = 'running' AND NOT EXISTS (
            SELECT 1 FROM jobs.tb_job_lease l WHERE j.id = ANY(l.job_ids) AND l.worker_id = j.lease_owner)) AS untracked`)
      ).rows[0],
    );
    const notes: string[] = [];
    if (drift.unready > 0) {
      notes.push(
        `${drift.unready} pending job(s) are not in jobs.tb_job_ready (set pending by hand?) and will never be dispatched; ` +
          'to queue them: INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at) ' +
          "SELECT id, queue, service_name, priority, run_at FROM jobs.tb_job_run j WHERE status = 'pending' AND NOT EXISTS " +
          '(SELECT 1 FROM jobs.tb_job_ready r WHERE r.job_id = j.id AND r.priority = j.priority AND r.run_at = j.run_at)',
      );
    }
    if (drift.untracked > 0) {
      notes.push(
        `${drift.untracked} running job(s) are in no lease row of jobs.tb_job_lease (set running by hand?) and no watchdog will take them back; ` +
          "to track them: INSERT INTO jobs.tb_job_lease (worker_id, job_ids) SELECT lease_owner, array_agg(id) FROM jobs.tb_job_run j WHERE status = 'running' " +
          'AND lease_owner IS NOT NULL AND NOT EXISTS (SELECT 1 FROM jobs.tb_job_lease l WHERE j.id = ANY(l.job_ids) AND l.worker_id = j.lease_owner) GROUP BY lease_owner',
      );
    }
    return notes;
  } catch (error) {
    return [`could not check jobs.tb_job_ready and jobs.tb_job_lease against job states: ${message(error)}`];
  }
}

/** Never throws: what could not be read is a note. */
export async function storeDiagnostics(location: string): Promise<StoreDiagnostics> {
  let parsed;
  try {
    parsed = parseLocation(location);
  } catch (error) {
    return { dialect: 'sqlite', server_version: null, size_bytes: null, slow_queries: null, notes: [message(error)] };
  }
  if (parsed.dialect === 'sqlite') return sqliteDiagnostics(parsed.path);
  try {
    return await postgresDiagnostics(parsed.url);
  } catch (error) {
    return { dialect: 'postgres', server_version: null, size_bytes: null, slow_queries: null, notes: [`could not read server details: ${message(error)}`] };
  }
}
