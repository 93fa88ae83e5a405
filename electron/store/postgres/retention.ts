import { z } from 'zod';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import { failuresKeptFrom } from '../failureStore.ts';
import type { MaintenanceHolder, PruneBatch, PruneEstimate, SpaceReport } from '../store.ts';
import { HOUR_MS, hourCutInto, minuteFloor, pruneStop } from '../rollupHours.ts';
import { rowsOf, type PgDb } from './db.ts';
import { sumCountHours, sumFailureHours } from './hourSums.ts';
import { countsFrom } from './tally.ts';

const Mark = z.object({ through: z.string().nullable() });
const Edges = z.object({ bound: z.string().nullable(), oldest: z.string().nullable() });
const msOf = (at: string | null) => (at === null ? null : Date.parse(at));
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Pruning by retention, in short batches that walk the jobs oldest first by id, so no statement holds
 * many rows or runs long; and folding the per-minute history's stripes of past minutes into one row each,
 * so reading a day of charts reads one row per minute and kind of job. Space freed by deletes is reused
 * by PostgreSQL after (auto)vacuum: there is nothing to give back by hand.
 */

/**
 * Finished before its cutoff ($1 completed, $2 cancelled, $3 resolved dead letters). Never pending, running
 * or an open dead letter.
 */
function finishedBeforeCutoff(job: string): string {
  return `((${job}.status = 'completed' AND ${job}.completed_at < $1) OR (${job}.status = 'cancelled' AND ${job}.completed_at < $2)
    OR (${job}.status = 'failed' AND ${job}.resolved_at < $3))`;
}

/**
 * A workflow run goes whole or not at all: finished, and every task of it finished before its cutoff (a
 * task its failure blocked counts as the dead letter's, from when the run ended). A failed or cancelled run
 * can be retried while any of it is kept, and a retried task needs every upstream's row: what it passes on,
 * and the dependency rows that go with a task (ON DELETE CASCADE) and would read as satisfied once gone.
 */
function wholeRunPrunable(run: string): string {
  return `${run}.status <> 'running' AND NOT EXISTS (SELECT 1 FROM jobs.tb_job_run t WHERE t.workflow_run_id = ${run}.id
    AND (${finishedBeforeCutoff('t')} OR (t.status = 'blocked' AND ${run}.finished_at < $3)) IS NOT TRUE)`;
}

function cutoffValues(cutoffs: PruneCutoffs): string[] {
  return [cutoffs.completed.toISOString(), cutoffs.cancelled.toISOString(), cutoffs.deadLetters.toISOString()];
}

export async function takeMaintenance(db: PgDb, task: string, owner: string, ttlMs: number): Promise<boolean> {
  const rows = await db.engineQuery(
    `INSERT INTO jobs.tb_maintenance_lease AS l (task, owner, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
     ON CONFLICT (task) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE l.owner = excluded.owner OR l.expires_at < now()
     RETURNING owner`,
    [task, owner, ttlMs],
  );
  return rows[0]?.owner === owner;
}

export async function releaseMaintenance(db: PgDb, task: string, owner: string): Promise<void> {
  await db.engineQuery(`DELETE FROM jobs.tb_maintenance_lease WHERE task = $1 AND owner = $2`, [task, owner]);
}

export async function maintenanceHolder(db: PgDb, task: string): Promise<MaintenanceHolder | null> {
  const rows = await db.engineQuery(`SELECT owner, expires_at FROM jobs.tb_maintenance_lease WHERE task = $1 AND expires_at > now()`, [task]);
  const row = rows[0];
  return row ? { owner: String(row.owner), until: String(row.expires_at) } : null;
}

/**
 * What a prune would remove, and about how much space: the job and attempt tables' size over the number of
 * jobs the kept counts hold (exact, where the planner's row estimate is -1 before the first ANALYZE).
 */
export async function pruneEstimate(db: PgDb, cutoffs: PruneCutoffs): Promise<PruneEstimate> {
  const rows = await db.query(
    `WITH prunable AS (
       SELECT j.status FROM jobs.tb_job_run j WHERE j.workflow_run_id IS NULL AND ${finishedBeforeCutoff('j')}
       UNION ALL
       SELECT t.status FROM jobs.tb_workflow_run r JOIN jobs.tb_job_run t ON t.workflow_run_id = r.id WHERE ${wholeRunPrunable('r')}
     )
     SELECT count(*) FILTER (WHERE status = 'completed') AS completed, count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE status IN ('failed', 'blocked')) AS dead_letters,
       (SELECT (pg_total_relation_size('jobs.tb_job_run') + pg_total_relation_size('jobs.tb_job_attempt'))::float8
          / greatest(1, (SELECT sum(n) FROM jobs.tb_job_count WHERE state <> 'dead_letter'))) AS per_job
     FROM prunable`,
    cutoffValues(cutoffs),
  );
  const row = rows[0] ?? {};
  const completed = Number(row.completed ?? 0);
  const cancelled = Number(row.cancelled ?? 0);
  const deadLetters = Number(row.dead_letters ?? 0);
  return { completed, cancelled, dead_letters: deadLetters, bytes: Math.round(Number(row.per_job ?? 0) * (completed + cancelled + deadLetters)) };
}

/**
 * $4 the id to start after, $5 the batch's size in jobs looked at. Jobs of no workflow go one by one; a run
 * with a task in the batch goes whole, its row and every task wherever their ids lie, once wholeRunPrunable
 * holds with the run and all its tasks locked by this statement. It never waits for those locks: a run or
 * task someone else holds (another pruner, an operator's retry, the run moving on) keeps the run for a
 * later batch, and a retry that comes after finds either the whole run or none of it.
 */
const PRUNE_BATCH_SQL = `
WITH scope AS (
  SELECT id, created_at FROM jobs.tb_job_run WHERE id > $4 ORDER BY id LIMIT $5
),
bounds AS (
  SELECT max(id) AS upto, min(created_at) AS oldest FROM scope
),
gone_jobs AS (
  DELETE FROM jobs.tb_job_run j USING bounds b
  WHERE j.id > $4 AND j.id <= b.upto AND j.workflow_run_id IS NULL AND ${finishedBeforeCutoff('j')}
  RETURNING j.id, j.queue, j.service_name, j.execution_type, j.status
),
runs AS (
  SELECT r.id, r.finished_at FROM jobs.tb_workflow_run r
  WHERE r.id IN (SELECT j.workflow_run_id FROM jobs.tb_job_run j, bounds b WHERE j.id > $4 AND j.id <= b.upto AND j.workflow_run_id IS NOT NULL)
    AND r.status <> 'running'
  FOR UPDATE OF r SKIP LOCKED
),
tasks AS (
  SELECT t.id, t.workflow_run_id AS run_id, coalesce(${finishedBeforeCutoff('t')} OR (t.status = 'blocked' AND runs.finished_at < $3), false) AS prunable
  FROM jobs.tb_job_run t JOIN runs ON t.workflow_run_id = runs.id
  FOR UPDATE OF t SKIP LOCKED
),
whole AS (
  -- Every task locked here and prunable: a task someone else holds (a retry under way) keeps its run.
  SELECT k.run_id FROM tasks k GROUP BY k.run_id
  HAVING bool_and(k.prunable) AND count(*) = (SELECT count(*) FROM jobs.tb_job_run a WHERE a.workflow_run_id = k.run_id)
),
gone_tasks AS (
  DELETE FROM jobs.tb_job_run j WHERE j.id IN (SELECT k.id FROM tasks k JOIN whole w ON w.run_id = k.run_id)
  RETURNING j.id, j.queue, j.service_name, j.execution_type, j.status
),
gone_runs AS (
  DELETE FROM jobs.tb_workflow_run r WHERE r.id IN (SELECT run_id FROM whole)
),
gone AS (
  SELECT * FROM gone_jobs UNION ALL SELECT * FROM gone_tasks
),
gone_attempts AS (
  DELETE FROM jobs.tb_job_attempt WHERE job_id IN (SELECT id FROM gone)
),
counted AS (
  ${countsFrom(`SELECT queue, service_name, execution_type, status AS state, '' AS fingerprint, -1 AS delta FROM gone`)}
)
SELECT b.upto, b.oldest >= greatest($1::timestamptz, $2::timestamptz, $3::timestamptz) AS past_cutoffs,
  (SELECT count(*) FROM gone WHERE status = 'completed') AS completed,
  (SELECT count(*) FROM gone WHERE status = 'cancelled') AS cancelled,
  (SELECT count(*) FROM gone WHERE status IN ('failed', 'blocked')) AS dead_letters
FROM bounds b`;

export async function pruneBatch(db: PgDb, cutoffs: PruneCutoffs, afterId: number, size: number): Promise<PruneBatch> {
  const rows = await db.query(PRUNE_BATCH_SQL, [...cutoffValues(cutoffs), afterId, Math.max(1, Math.trunc(size))]);
  const row = rows[0];
  if (!row || row.upto === null || row.upto === undefined) return { completed: 0, cancelled: 0, dead_letters: 0, lastId: afterId, done: true };
  return {
    completed: Number(row.completed),
    cancelled: Number(row.cancelled),
    dead_letters: Number(row.dead_letters),
    lastId: Number(row.upto),
    // Jobs are made in id order: once the oldest left was made after every cutoff, nothing further can go.
    done: row.past_cutoffs === true,
  };
}

/**
 * Folds the stripes of minutes before the current one into stripe -1, then removes the oldest minutes of
 * each history table before `before`, about `maxRows` rows of each at most (rollupHours.ts's pruneStop says
 * where a call stops), and the summed hours that ended by then; the summed hour holding where it stopped
 * is summed again from the minutes it keeps, in the same transaction.
 */
export async function pruneHistory(db: PgDb, before: Date, maxRows: number): Promise<number> {
  const limit = Math.max(1, Math.trunc(maxRows));
  return db.tx(async (client) => {
    // The mark's row first, as the summing step takes it: the two never write the same hours at once, and
    // neither waits on hours the other holds while holding what it waits for. Made here when no summing step
    // has made it yet, as that step does: a lock on no row would let a first step sum the minutes this
    // prune is deleting.
    await rowsOf(client, `INSERT INTO jobs.tb_rollup_hour_mark (id, through) VALUES (true, NULL) ON CONFLICT (id) DO NOTHING`);
    const [held] = await rowsOf(client, `SELECT through FROM jobs.tb_rollup_hour_mark FOR UPDATE`);
    const mark = msOf(Mark.parse(held ?? { through: null }).through);
    for (const sql of [FOLD_ROLLUPS_SQL, FOLD_LATENCY_SQL, FOLD_FAILURES_SQL]) await client.query(sql);
    // Cut at the minute holding the cutoff, as SQLite cuts: that minute is kept, on either store.
    const countsCut = minuteFloor(before.getTime());
    const failuresCut = minuteFloor(failuresKeptFrom(before).getTime());
    // Each table's minute `limit` rows in before the cut (null when fewer are left), and its oldest there.
    const edges = async (table: string, cut: number) => {
      const [row] = await rowsOf(
        client,
        `SELECT (SELECT minute FROM jobs.${table} WHERE minute < $1 ORDER BY minute OFFSET $2 LIMIT 1) AS bound,
           (SELECT min(minute) FROM jobs.${table} WHERE minute < $1) AS oldest`,
        [iso(cut), limit],
      );
      const edge = Edges.parse(row ?? { bound: null, oldest: null });
      return { bound: msOf(edge.bound), oldest: msOf(edge.oldest) };
    };
    // Every table of a family to the same minute, so the hours summed from them lose the same minutes.
    const stopAt = async (cut: number, tables: string[]) => {
      const found = await Promise.all(tables.map((table) => edges(table, cut)));
      const oldest = found.flatMap((e) => (e.oldest === null ? [] : [e.oldest]));
      return pruneStop(cut, oldest.length > 0 ? Math.min(...oldest) : null, found.map((e) => e.bound)) ?? cut;
    };
    const countsTo = await stopAt(countsCut, ['tb_job_rollup', 'tb_job_latency']);
    const failuresTo = await stopAt(failuresCut, ['tb_failure_rollup']);
    const removedBefore = async (table: string, to: number) =>
      (await client.query(`DELETE FROM jobs.${table} WHERE minute < $1`, [iso(to)])).rowCount ?? 0;
    const counts = (await removedBefore('tb_job_rollup', countsTo)) + (await removedBefore('tb_job_latency', countsTo));
    const failures = await removedBefore('tb_failure_rollup', failuresTo);
    let removed = counts + failures;
    // Hours that ended by where the call stopped; a month of them is some 720 rows a type (and service) and
    // bucket at most: no bound needed.
    const hourCuts: [string, number][] = [
      ['tb_job_rollup_hour', countsTo],
      ['tb_job_latency_hour', countsTo],
      ['tb_job_rollup_service_hour', countsTo],
      ['tb_job_latency_service_hour', countsTo],
      ['tb_failure_rollup_hour', failuresTo],
    ];
    for (const [table, to] of hourCuts) {
      const result = await client.query(`DELETE FROM jobs.${table} WHERE hour <= $1::timestamptz - interval '1 hour'`, [iso(to)]);
      removed += result.rowCount ?? 0;
    }
    // The summed hour holding where this call stopped lost minutes: summed again from those it keeps, in this
    // same transaction, it counts what a read of the minutes would and its failures point at a minute still
    // there for their sample, however early a round's budget ends the prune. Not counted as removed.
    const countsHour = counts > 0 ? hourCutInto(countsTo, mark) : null;
    if (countsHour !== null) await sumCountHours(client, iso(countsHour), iso(countsHour + HOUR_MS));
    const failuresHour = failures > 0 ? hourCutInto(failuresTo, mark) : null;
    if (failuresHour !== null) await sumFailureHours(client, iso(failuresHour), iso(failuresHour + HOUR_MS));
    return removed;
  });
}

/** The minutes before this one are finished: their stripes add up into one row per kind of job. */
const FOLD_ROLLUPS_SQL = `
WITH moved AS (
  DELETE FROM jobs.tb_job_rollup WHERE stripe >= 0 AND minute < date_trunc('minute', now())
  RETURNING minute, queue, service_name, execution_type, completed, failed, retried, cancelled, duration_ms
)
INSERT INTO jobs.tb_job_rollup AS r (minute, queue, service_name, execution_type, stripe, completed, failed, retried, cancelled, duration_ms)
SELECT minute, queue, service_name, execution_type, -1, sum(completed), sum(failed), sum(retried), sum(cancelled), sum(duration_ms)
FROM moved GROUP BY minute, queue, service_name, execution_type
ON CONFLICT (minute, queue, service_name, execution_type, stripe) DO UPDATE SET
  completed = r.completed + excluded.completed, failed = r.failed + excluded.failed, retried = r.retried + excluded.retried,
  cancelled = r.cancelled + excluded.cancelled, duration_ms = r.duration_ms + excluded.duration_ms`;

const FOLD_LATENCY_SQL = `
WITH moved AS (
  DELETE FROM jobs.tb_job_latency WHERE stripe >= 0 AND minute < date_trunc('minute', now())
  RETURNING minute, execution_type, service_name, bucket, n
)
INSERT INTO jobs.tb_job_latency AS t (minute, execution_type, service_name, bucket, stripe, n)
SELECT minute, execution_type, service_name, bucket, -1, sum(n) FROM moved GROUP BY minute, execution_type, service_name, bucket
ON CONFLICT (minute, execution_type, service_name, bucket, stripe) DO UPDATE SET n = t.n + excluded.n`;

const FOLD_FAILURES_SQL = `
WITH moved AS (
  DELETE FROM jobs.tb_failure_rollup WHERE stripe >= 0 AND minute < date_trunc('minute', now())
  RETURNING minute, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, sample_error
)
INSERT INTO jobs.tb_failure_rollup AS f (minute, service_name, error_class, fingerprint, stripe, failures, dead_lettered, first_at, last_at, sample_error)
SELECT minute, service_name, error_class, fingerprint, -1, sum(failures), sum(dead_lettered), min(first_at), max(last_at),
  (array_agg(sample_error ORDER BY last_at DESC))[1]
FROM moved GROUP BY minute, service_name, error_class, fingerprint
ON CONFLICT (minute, service_name, error_class, fingerprint, stripe) DO UPDATE SET
  failures = f.failures + excluded.failures, dead_lettered = f.dead_lettered + excluded.dead_lettered,
  first_at = least(f.first_at, excluded.first_at),
  last_at = greatest(f.last_at, excluded.last_at),
  sample_error = CASE WHEN excluded.last_at >= f.last_at THEN excluded.sample_error ELSE f.sample_error END`;

/** PostgreSQL reuses the space deletes free once (auto)vacuum has seen them: nothing to do by hand. */
export function reclaimSpace(): SpaceReport {
  return { freedBytes: 0, freeBytes: 0 };
}
