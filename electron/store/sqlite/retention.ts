import { z } from 'zod';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import { failuresKeptFrom } from '../failureStore.ts';
import { hourCutInto, minuteFloor, pruneStop } from '../rollupHours.ts';
import type { MaintenanceHolder, PruneBatch, PruneEstimate, SpaceReport } from '../store.ts';
import { now } from './db.ts';
import type { Connection, SqliteDb } from './db.ts';
import { prepareHourSums } from './hourSums.ts';
import type { Span } from './hourSums.ts';
import { Tally } from './tally.ts';
import type { JobKind } from './tally.ts';

/**
 * Pruning by retention, in short batches that walk the jobs oldest first by id, and giving the freed pages
 * back to the file system a few at a time (incremental vacuum), so neither ever holds the write lock for
 * long: the engine's claims and settles wait at most one batch.
 */

/**
 * Finished before its cutoff: what a batch may delete. Never pending, running or an open dead letter.
 */
function finishedBeforeCutoff(job: string): string {
  return `((${job}.status = 'completed' AND ${job}.completed_at < @completed)
    OR (${job}.status = 'cancelled' AND ${job}.completed_at < @cancelled)
    OR (${job}.status = 'failed' AND ${job}.resolved_at < @dead_letters))`;
}

/**
 * A workflow run goes whole or not at all: finished, and every task of it finished before its cutoff (a
 * task its failure blocked counts as the dead letter's, from when the run ended). A failed or cancelled run
 * can be retried while any of it is kept, and a retried task needs every upstream's row: what it passes on,
 * and the dependency rows that go with a task (ON DELETE CASCADE) and would read as satisfied once gone.
 */
function wholeRunPrunable(run: string): string {
  return `${run}.status <> 'running' AND NOT EXISTS (SELECT 1 FROM tb_job_run t WHERE t.workflow_run_id = ${run}.id
    AND coalesce(${finishedBeforeCutoff('t')} OR (t.status = 'blocked' AND ${run}.finished_at < @dead_letters), 0) = 0)`;
}

type CutoffParams = {
  completed: string;
  cancelled: string;
  dead_letters: string;
};

interface Pruned extends JobKind {
  status: 'completed' | 'cancelled' | 'failed' | 'blocked';
}

/** The jobs a prune would delete now, by kind: every finished job read, so on the read thread. */
const ESTIMATE_SQL = `SELECT coalesce(sum(status = 'completed'), 0) AS completed, coalesce(sum(status = 'cancelled'), 0) AS cancelled,
     coalesce(sum(status IN ('failed', 'blocked')), 0) AS dead_letters
   FROM (SELECT j.status FROM tb_job_run j WHERE j.workflow_run_id IS NULL AND ${finishedBeforeCutoff('j')}
         UNION ALL
         SELECT t.status FROM tb_workflow_run r JOIN tb_job_run t ON t.workflow_run_id = r.id WHERE ${wholeRunPrunable('r')})`;
const Estimate = z.array(z.object({ completed: z.number(), cancelled: z.number(), dead_letters: z.number() }));

// A job's row and its attempts and index entries take about the file's used bytes per job kept.
const BYTES_PER_JOB_SQL = `SELECT (SELECT page_count - freelist_count FROM pragma_page_count, pragma_freelist_count) * (SELECT page_size FROM pragma_page_size)
     / nullif((SELECT sum(n) FROM tb_job_count WHERE state <> 'dead_letter'), 0) AS bytes`;
const BytesPerJob = z.array(z.object({ bytes: z.number().nullable() }));

function prepareRetentionStatements(db: Connection) {
  return {
    takeLease: db.prepare<[{ task: string; owner: string; now: string; until: string }], { owner: string }>(
      `INSERT INTO tb_maintenance_lease (task, owner, expires_at) VALUES (@task, @owner, @until)
       ON CONFLICT (task) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE tb_maintenance_lease.owner = excluded.owner OR tb_maintenance_lease.expires_at < @now
       RETURNING owner`,
    ),
    releaseLease: db.prepare<[string, string]>(`DELETE FROM tb_maintenance_lease WHERE task = ? AND owner = ?`),
    leaseHolder: db.prepare<[string, string], { owner: string; expires_at: string }>(
      `SELECT owner, expires_at FROM tb_maintenance_lease WHERE task = ? AND expires_at > ?`,
    ),
    window: db.prepare<[{ after: number; size: number }], { upto: number | null; oldest: string | null }>(
      `SELECT max(id) AS upto, min(created_at) AS oldest FROM (SELECT id, created_at FROM tb_job_run WHERE id > @after ORDER BY id LIMIT @size)`,
    ),
    pruneAttempts: db.prepare<[CutoffParams & { after: number; upto: number }]>(
      `DELETE FROM tb_job_attempt WHERE job_id IN
         (SELECT j.id FROM tb_job_run j WHERE j.id > @after AND j.id <= @upto AND j.workflow_run_id IS NULL AND ${finishedBeforeCutoff('j')})`,
    ),
    // Before the newest jobs could go: enqueue starts above this, so their ids are never handed out again.
    raiseJobIdFloor: db.prepare(`UPDATE tb_job_id_floor SET last_id = max(last_id, coalesce((SELECT max(id) FROM tb_job_run), 0))`),
    pruneJobs: db.prepare<[CutoffParams & { after: number; upto: number }], Pruned>(
      `DELETE FROM tb_job_run AS j WHERE j.id > @after AND j.id <= @upto AND j.workflow_run_id IS NULL AND ${finishedBeforeCutoff('j')}
       RETURNING queue, service_name, execution_type, status`,
    ),
    // The runs with a task among these jobs that go whole, with every task wherever its id lies.
    wholeRuns: db.prepare<[CutoffParams & { after: number; upto: number }], { id: number }>(
      `SELECT r.id FROM tb_workflow_run r
       WHERE r.id IN (SELECT workflow_run_id FROM tb_job_run WHERE id > @after AND id <= @upto AND workflow_run_id IS NOT NULL)
         AND ${wholeRunPrunable('r')}`,
    ),
    pruneRunAttempts: db.prepare<[{ run: number }]>(
      `DELETE FROM tb_job_attempt WHERE job_id IN (SELECT id FROM tb_job_run WHERE workflow_run_id = @run)`,
    ),
    pruneRunTasks: db.prepare<[{ run: number }], Pruned>(
      `DELETE FROM tb_job_run WHERE workflow_run_id = @run RETURNING queue, service_name, execution_type, status`,
    ),
    pruneRun: db.prepare<[{ run: number }]>(`DELETE FROM tb_workflow_run WHERE id = @run`),
    // The minute `max` rows into each table before the cut, and its oldest there: each table leads its key with the minute.
    rollupBound: db.prepare<[{ cut: number; max: number }], { minute: number }>(
      `SELECT minute FROM tb_job_rollup WHERE minute < @cut ORDER BY minute LIMIT 1 OFFSET @max`,
    ),
    latencyBound: db.prepare<[{ cut: number; max: number }], { minute: number }>(
      `SELECT minute FROM tb_job_latency WHERE minute < @cut ORDER BY minute LIMIT 1 OFFSET @max`,
    ),
    failureBound: db.prepare<[{ cut: number; max: number }], { minute: number }>(
      `SELECT minute FROM tb_failure_rollup WHERE minute < @cut ORDER BY minute LIMIT 1 OFFSET @max`,
    ),
    oldestCounted: db.prepare<[{ cut: number }], { minute: number | null }>(
      `WITH o AS (SELECT (SELECT min(minute) FROM tb_job_rollup WHERE minute < @cut) AS r, (SELECT min(minute) FROM tb_job_latency WHERE minute < @cut) AS l)
       SELECT min(coalesce(r, l), coalesce(l, r)) AS minute FROM o`,
    ),
    oldestFailure: db.prepare<[{ cut: number }], { minute: number | null }>(`SELECT min(minute) AS minute FROM tb_failure_rollup WHERE minute < @cut`),
    pruneRollups: db.prepare<[number]>(`DELETE FROM tb_job_rollup WHERE minute < ?`),
    pruneFailures: db.prepare<[number]>(`DELETE FROM tb_failure_rollup WHERE minute < ?`),
    pruneLatency: db.prepare<[number]>(`DELETE FROM tb_job_latency WHERE minute < ?`),
    // Hours that ended by where the call stopped; the hour holding it is summed again from the minutes it keeps.
    pruneRollupHours: db.prepare<[number]>(`DELETE FROM tb_job_rollup_hour WHERE hour <= ? - 3600`),
    pruneLatencyHours: db.prepare<[number]>(`DELETE FROM tb_job_latency_hour WHERE hour <= ? - 3600`),
    pruneServiceRollupHours: db.prepare<[number]>(`DELETE FROM tb_job_rollup_service_hour WHERE hour <= ? - 3600`),
    pruneServiceLatencyHours: db.prepare<[number]>(`DELETE FROM tb_job_latency_service_hour WHERE hour <= ? - 3600`),
    pruneFailureHours: db.prepare<[number]>(`DELETE FROM tb_failure_rollup_hour WHERE hour <= ? - 3600`),
    mark: db.prepare<[], { through: number }>(`SELECT through FROM tb_rollup_hour_mark WHERE id = 1`),
    space: db.prepare<[], { free: number; page: number; vacuum: number }>(
      `SELECT (SELECT freelist_count FROM pragma_freelist_count) AS free, (SELECT page_size FROM pragma_page_size) AS page,
         (SELECT auto_vacuum FROM pragma_auto_vacuum) AS vacuum`,
    ),
  };
}

function cutoffParams(cutoffs: PruneCutoffs): CutoffParams {
  return { completed: cutoffs.completed.toISOString(), cancelled: cutoffs.cancelled.toISOString(), dead_letters: cutoffs.deadLetters.toISOString() };
}

/** SQLite's auto_vacuum setting that lets freed pages be given back a few at a time. */
const INCREMENTAL = 2;

export class SqliteRetention {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepareRetentionStatements>;
  readonly #sums: ReturnType<typeof prepareHourSums>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepareRetentionStatements(db.connection);
    this.#sums = prepareHourSums(db.connection);
  }

  takeMaintenance(task: string, owner: string, ttlMs: number): boolean {
    const at = Date.now();
    return this.#db.guard(() => {
      const row = this.#s.takeLease.get({ task, owner, now: new Date(at).toISOString(), until: new Date(at + ttlMs).toISOString() });
      return row?.owner === owner;
    });
  }

  releaseMaintenance(task: string, owner: string): void {
    this.#db.guard(() => this.#s.releaseLease.run(task, owner));
  }

  maintenanceHolder(task: string): MaintenanceHolder | null {
    return this.#db.guard(() => {
      const row = this.#s.leaseHolder.get(task, new Date().toISOString());
      return row ? { owner: row.owner, until: row.expires_at } : null;
    });
  }

  /**
   * Reads every finished job past its cutoff, 0.6 to 0.8 s at a million jobs: on the read thread, both
   * statements in one snapshot, so the count and the bytes per job agree.
   */
  async pruneEstimate(cutoffs: PruneCutoffs): Promise<PruneEstimate> {
    const [estimated, perJobRows] = await this.#db.aside([
      { sql: ESTIMATE_SQL, args: [cutoffParams(cutoffs)] },
      { sql: BYTES_PER_JOB_SQL, args: [] },
    ]);
    const counts = Estimate.parse(estimated)[0] ?? { completed: 0, cancelled: 0, dead_letters: 0 };
    const perJob = BytesPerJob.parse(perJobRows)[0]?.bytes ?? 0;
    return { ...counts, bytes: Math.round(perJob * (counts.completed + counts.cancelled + counts.dead_letters)) };
  }

  pruneBatch(cutoffs: PruneCutoffs, afterId: number, size: number): PruneBatch {
    const params = cutoffParams(cutoffs);
    const newestCutoff = [params.completed, params.cancelled, params.dead_letters].sort().at(-1) ?? params.completed;
    return this.#db.guard(() =>
      this.#db.write(() => {
        const window = this.#s.window.get({ after: afterId, size: Math.max(1, Math.trunc(size)) });
        const batch: PruneBatch = { completed: 0, cancelled: 0, dead_letters: 0, lastId: afterId, done: true };
        if (!window || window.upto === null || window.oldest === null) return batch;
        batch.lastId = window.upto;
        // Jobs are made in id order: once the oldest left was made after every cutoff, nothing further can go.
        batch.done = window.oldest >= newestCutoff;
        const range = { ...params, after: afterId, upto: window.upto };
        this.#s.raiseJobIdFloor.run();
        const tally = new Tally(Date.parse(now()));
        const gone = (job: Pruned) => {
          tally.count(job, job.status, -1);
          if (job.status === 'failed' || job.status === 'blocked') batch.dead_letters += 1;
          else batch[job.status] += 1;
        };
        this.#s.pruneAttempts.run(range);
        for (const job of this.#s.pruneJobs.all(range)) gone(job);
        for (const { id: run } of this.#s.wholeRuns.all(range)) {
          this.#s.pruneRunAttempts.run({ run });
          for (const job of this.#s.pruneRunTasks.all({ run })) gone(job);
          this.#s.pruneRun.run({ run });
        }
        this.#db.record(tally);
        return batch;
      }),
    );
  }

  pruneHistory(before: Date, maxRows: number): number {
    const max = Math.max(1, Math.trunc(maxRows));
    const countsCut = minuteFloor(before.getTime()) / 1000;
    const failuresCut = minuteFloor(failuresKeptFrom(before).getTime()) / 1000;
    return this.#db.guard(() =>
      this.#db.write(() => {
        const marked = this.#s.mark.get()?.through;
        const mark = marked === undefined ? null : marked * 1000;
        // Where this call stops (unix seconds), short of the cut in a backlog: every table of a family to
        // the same minute, so the hours summed from them lose the same minutes.
        const stopAt = (cut: number, oldest: number | null | undefined, bounds: Array<{ minute: number } | undefined>) => {
          const stop = pruneStop(cut * 1000, oldest === null || oldest === undefined ? null : oldest * 1000, bounds.map((b) => (b === undefined ? null : b.minute * 1000)));
          return stop === null ? cut : stop / 1000;
        };
        const countsTo = stopAt(countsCut, this.#s.oldestCounted.get({ cut: countsCut })?.minute, [
          this.#s.rollupBound.get({ cut: countsCut, max }),
          this.#s.latencyBound.get({ cut: countsCut, max }),
        ]);
        const failuresTo = stopAt(failuresCut, this.#s.oldestFailure.get({ cut: failuresCut })?.minute, [this.#s.failureBound.get({ cut: failuresCut, max })]);
        const counts = this.#s.pruneRollups.run(countsTo).changes + this.#s.pruneLatency.run(countsTo).changes;
        const failures = this.#s.pruneFailures.run(failuresTo).changes;
        // A month of hours is some 720 rows a type (and service) and bucket at most: no bound needed.
        const hours =
          this.#s.pruneRollupHours.run(countsTo).changes +
          this.#s.pruneLatencyHours.run(countsTo).changes +
          this.#s.pruneServiceRollupHours.run(countsTo).changes +
          this.#s.pruneServiceLatencyHours.run(countsTo).changes +
          this.#s.pruneFailureHours.run(failuresTo).changes;
        // The summed hour holding where this call stopped lost minutes: summed again from those it keeps, in
        // this same transaction, it counts what a read of the minutes would and its failures point at a minute
        // still there for their sample, however early a round's budget ends the prune. Not counted as removed.
        const summedAgain = (to: number, sum: (span: Span) => void) => {
          const hour = hourCutInto(to * 1000, mark);
          if (hour !== null) sum({ from: hour / 1000, to: hour / 1000 + 3600 });
        };
        if (counts > 0) summedAgain(countsTo, (span) => this.#sums.counts(span));
        if (failures > 0) summedAgain(failuresTo, (span) => this.#sums.failures(span));
        return counts + failures + hours;
      }),
    );
  }

  /**
   * Files made by this version give freed pages back a few at a time; a file made before it keeps them
   * for reuse (its auto_vacuum mode can only change with a full VACUUM), and says how much is free.
   */
  reclaimSpace(maxBytes: number): SpaceReport {
    return this.#db.guard(() => {
      const before = this.#s.space.get();
      if (!before) return { freedBytes: 0, freeBytes: 0 };
      if (before.vacuum !== INCREMENTAL || before.free === 0) return { freedBytes: 0, freeBytes: before.free * before.page };
      const pages = Math.max(1, Math.floor(maxBytes / before.page));
      this.#db.connection.pragma(`incremental_vacuum(${pages})`);
      const after = this.#s.space.get() ?? before;
      return { freedBytes: (before.free - after.free) * before.page, freeBytes: after.free * after.page };
    });
  }
}
