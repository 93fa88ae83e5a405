import { z } from 'zod';
import { StoreInputError } from '../errors.ts';
import { checkNewJob, generatedIdentifier, sameGroup } from '../newJobs.ts';
import type { EnqueueResult, NewJob } from '../store.ts';
import type { PgDb, Queryable } from './db.ts';
import { rowsOf } from './db.ts';
import { readyRowsFrom } from './ready.ts';
import { countsFrom } from './tally.ts';

/**
 * Enqueue on PostgreSQL: one statement per chunk of jobs (one JSON array in), so a batch of N jobs costs
 * one round trip, not N; identifiers make it idempotent.
 */

const ENQUEUE_CHUNK = 5000;

const ENQUEUE_COLUMNS = `AS t(identifier text, queue text, service_name text, execution_type text, payload jsonb, priority int,
      max_attempts int, run_at timestamptz, ord bigint)`;

const ENQUEUE_SQL = `
WITH input AS (
  SELECT t.*, row_number() OVER (PARTITION BY t.identifier ORDER BY t.ord) AS nth
  FROM json_to_recordset($1::json) ${ENQUEUE_COLUMNS}
),
inserted AS (
  INSERT INTO jobs.tb_job_run (identifier, queue, service_name, execution_type, payload, priority, max_attempts, run_at)
  SELECT identifier, queue, service_name, execution_type, payload, priority, max_attempts, coalesce(run_at, now())
  FROM input WHERE nth = 1 ORDER BY ord
  ON CONFLICT (identifier) DO NOTHING
  RETURNING id, identifier, queue, service_name, execution_type, priority, run_at
),
ready AS (
  ${readyRowsFrom('inserted')}
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, 'pending' AS state, '' AS fingerprint, 1 AS delta FROM inserted`)}
)
SELECT i.ord, i.identifier,
  coalesce(n.id, (SELECT j.id FROM jobs.tb_job_run j WHERE j.identifier = i.identifier)) AS id,
  (n.id IS NOT NULL AND i.nth = 1) AS created
FROM input i
LEFT JOIN inserted n ON n.identifier = i.identifier
ORDER BY i.ord`;

/**
 * The common bulk (one service's jobs, alike in queue, type, priority and attempts, none naming an
 * identifier or a run_at) sends its payloads alone: parsing one object per job with nine keys was a
 * quarter of the whole enqueue. Identifiers are the group's generated prefix and each job's place, as on
 * SQLite. Such a batch cannot repeat itself and is all but certain not to meet an existing row, so it is
 * a plain INSERT; should an identifier exist after all, the unique index refuses the statement whole and
 * the batch goes again the careful way.
 */
const ENQUEUE_UNIFORM_SQL = `
WITH inserted AS (
  INSERT INTO jobs.tb_job_run (identifier, queue, service_name, execution_type, payload, priority, max_attempts, run_at)
  SELECT $1::text || (e.n - 1), $2::text, $3::text, $4::text, nullif(e.payload, 'null'::jsonb), $5::int, $6::int, now()
  FROM jsonb_array_elements($7::jsonb) WITH ORDINALITY AS e(payload, n)
  ORDER BY e.n
  RETURNING id, identifier, queue, service_name, execution_type, priority, run_at
),
ready AS (
  ${readyRowsFrom('inserted')}
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, 'pending' AS state, '' AS fingerprint, 1 AS delta FROM inserted`)}
)
SELECT json_object_agg(identifier, id)::text AS ids FROM inserted`;

const EnqueueRow = z.object({ identifier: z.string(), id: z.number().nullable(), created: z.boolean() });
const UniformResult = z.object({ ids: z.string() });
const IdsByIdentifier = z.record(z.string(), z.number());

const UNIQUE_VIOLATION = '23505';

export async function enqueueJobs(db: PgDb, jobs: NewJob[]): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  jobs.forEach(checkNewJob);
  const uniform = jobs.length <= ENQUEUE_CHUNK && isUniform(jobs);
  const prefix = uniform ? `${generatedIdentifier(jobs[0]?.service_name ?? '')}-` : '';
  const identifiers = uniform ? jobs.map((_, place) => `${prefix}${place}`) : jobs.map((j) => j.identifier ?? generatedIdentifier(j.service_name));
  const insert = async (client: Queryable) => {
    try {
      return (uniform && (await insertUniform(client, jobs, prefix, identifiers))) || (await insertChunks(client, jobs, identifiers));
    } catch (err) {
      throw badValue(err) ?? err;
    }
  };
  // One chunk is one statement, atomic on its own; more chunks share a transaction (all or nothing).
  const results = jobs.length <= ENQUEUE_CHUNK ? await db.once(insert) : await db.tx(insert);
  // A row another transaction inserted while ours ran is not visible to our statement's snapshot:
  // look those up again now that it has committed.
  const missing = results.filter((r) => r.id === 0);
  if (missing.length > 0) {
    const rows = await db.query('SELECT id, identifier FROM jobs.tb_job_run WHERE identifier = ANY($1::text[])', [missing.map((m) => m.identifier)]);
    const byIdentifier = new Map(rows.map((row) => [String(row.identifier), Number(row.id)]));
    for (const r of missing) r.id = byIdentifier.get(r.identifier) ?? 0;
  }
  return results;
}

/** The rows of one chunk as the enqueue statements read them. */
function chunkJson(jobs: NewJob[], identifiers: string[], start: number): string {
  const chunk = jobs.slice(start, start + ENQUEUE_CHUNK).map((j, i) => ({
    ord: i,
    identifier: identifiers[start + i],
    queue: j.queue,
    service_name: j.service_name,
    execution_type: j.execution_type,
    payload: j.payload ?? null,
    priority: j.priority ?? 0,
    max_attempts: j.max_attempts,
    run_at: j.run_at === undefined ? null : new Date(j.run_at).toISOString(),
  }));
  // One JSON array, not an array per column: pg escapes array elements one by one, far slower than
  // JSON.stringify, and each payload goes in as the JSON it is instead of a string inside an array.
  return JSON.stringify(chunk);
}

/** Jobs that differ in payload alone, none with an identifier or run_at of its own. */
function isUniform(jobs: NewJob[]): boolean {
  const [first] = jobs;
  if (!first) return false;
  return jobs.every((j) => j.identifier === undefined && j.run_at === undefined && sameGroup(first, j));
}

/** ENQUEUE_UNIFORM_SQL; null when an identifier existed after all and nothing was written. */
async function insertUniform(client: Queryable, jobs: NewJob[], prefix: string, identifiers: string[]): Promise<EnqueueResult[] | null> {
  const [first] = jobs;
  if (!first) return [];
  const params = [prefix, first.queue, first.service_name, first.execution_type, first.priority ?? 0, first.max_attempts, JSON.stringify(jobs.map((j) => j.payload ?? null))];
  let rows;
  try {
    rows = await rowsOf(client, ENQUEUE_UNIFORM_SQL, params, 'opsdeck_enqueue_uniform');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === UNIQUE_VIOLATION) return null;
    throw err;
  }
  const ids = IdsByIdentifier.parse(JSON.parse(UniformResult.parse(rows[0]).ids));
  return identifiers.map((identifier) => {
    const id = ids[identifier];
    if (id === undefined) throw new Error(`enqueue: the insert returned no row for "${identifier}"`);
    return { id, identifier, created: true };
  });
}

/** Enqueues inside the caller's transaction (a schedule's fire writes its record and its job together). */
export async function insertChunks(client: Queryable, jobs: NewJob[], identifiers: string[]): Promise<EnqueueResult[]> {
  const out: EnqueueResult[] = [];
  for (let start = 0; start < jobs.length; start += ENQUEUE_CHUNK) {
    const rows = await rowsOf(client, ENQUEUE_SQL, [chunkJson(jobs, identifiers, start)], 'opsdeck_enqueue');
    for (const row of rows) {
      const r = EnqueueRow.parse(row);
      out.push({ id: r.id ?? 0, identifier: r.identifier, created: r.created });
    }
  }
  return out;
}

/** Values PostgreSQL refuses to store are the caller's input, not a broken store. */
function badValue(err: unknown): StoreInputError | null {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case '22P05':
      return new StoreInputError(`a job payload holds text PostgreSQL cannot store (${message}): remove NUL (\\u0000) characters`);
    case '22003':
      return new StoreInputError(`a job's priority or max_attempts is out of range (${message})`);
    case '22007':
    case '22008':
      return new StoreInputError(`a job's run_at is outside the dates PostgreSQL stores (${message})`);
    case '22001':
    case '54000':
      return new StoreInputError(`a job field is too long (${message})`);
  }
  return null;
}

