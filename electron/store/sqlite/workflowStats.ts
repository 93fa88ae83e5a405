import type { RunningRuns, StuckAfters, WorkflowRunCount, WorkflowRunTally } from '../workflowTypes.ts';
import type { SqliteDb } from './db.ts';
import { STUCK_RUNS, stuckParams, type StuckParams } from './stuckRuns.ts';

type Durations = WorkflowRunTally['durations'][number];
type Params = { since: string; workflow: string | null };

// The bucket as shared/latencyBuckets.ts computes it: 0 under 1 ms, four to each doubling, at most 128.
const BUCKET = `CASE WHEN ms < 1 THEN 0 ELSE min(128, 1 + CAST(floor(4 * log2(ms)) AS INTEGER)) END`;

/**
 * The runs running now and those stuck, per workflow, through the index of running runs (migration 0011); and the runs
 * started since a time, per workflow (migration 0033's index on created_at bounds the read to the
 * window's runs), in one read transaction so the counts and the durations see the same runs.
 */
export class SqliteWorkflowStats {
  readonly #db: SqliteDb;
  readonly #s;

  constructor(db: SqliteDb) {
    this.#db = db;
    const c = db.connection;
    this.#s = {
      counts: c.prepare<[Params], WorkflowRunCount>(
        `SELECT workflow_name, status, count(*) AS n FROM tb_workflow_run INDEXED BY idx_tb_workflow_run_created_at
         WHERE created_at >= @since AND (@workflow IS NULL OR workflow_name = @workflow)
         GROUP BY workflow_name, status ORDER BY workflow_name, status`,
      ),
      running: c.prepare<[], RunningRuns>(
        `SELECT workflow_name, count(*) AS n FROM tb_workflow_run INDEXED BY idx_tb_workflow_run_running
         WHERE status = 'running' GROUP BY workflow_name ORDER BY workflow_name`,
      ),
      stuck: c.prepare<[StuckParams], RunningRuns>(
        `SELECT r.workflow_name, count(*) AS n FROM ${STUCK_RUNS} GROUP BY r.workflow_name ORDER BY r.workflow_name`,
      ),
      durations: c.prepare<[Params], Durations>(
        `SELECT workflow_name, ${BUCKET} AS bucket, count(*) AS n FROM (
           SELECT workflow_name, max(0, (julianday(finished_at) - julianday(created_at)) * 86400000.0) AS ms
           FROM tb_workflow_run INDEXED BY idx_tb_workflow_run_created_at
           WHERE created_at >= @since AND (@workflow IS NULL OR workflow_name = @workflow) AND status = 'completed' AND finished_at IS NOT NULL
         ) GROUP BY workflow_name, bucket ORDER BY workflow_name, bucket`,
      ),
    };
  }

  tally(since: Date, workflow: string | null): WorkflowRunTally {
    const params = { since: since.toISOString(), workflow };
    return this.#db.read(() => ({ counts: this.#s.counts.all(params), durations: this.#s.durations.all(params) }));
  }

  /** The tally's counts alone, of every workflow. */
  counts(since: Date): WorkflowRunCount[] {
    return this.#db.guard(() => this.#s.counts.all({ since: since.toISOString(), workflow: null }));
  }

  running(): RunningRuns[] {
    return this.#db.guard(() => this.#s.running.all());
  }

  stuck(now: Date, held: StuckAfters): RunningRuns[] {
    return this.#db.guard(() => this.#s.stuck.all(stuckParams(now, held)));
  }
}
