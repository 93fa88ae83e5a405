import type BetterSqlite3 from 'better-sqlite3';
import { EXECUTION_TYPES, ExecutionType } from '../../../shared/domain.ts';
import type { Attempt, DlqGroup, DlqSelector, Job, JobFilter, LatencyByType, QueueCount, ThroughputBucket } from '../../../shared/domain.ts';
import { fillBuckets } from '../buckets.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import type { Page, PageRequest } from '../store.ts';
import { now } from './db.ts';
import type { Connection, Params, SqliteDb } from './db.ts';
import { dlqWhere, jobWhere } from './filters.ts';
import type { Where } from './filters.ts';
import { JOB_COLUMNS, parseJson, toAttempt, toJob } from './rows.ts';
import type { AttemptRow, JobRow } from './rows.ts';

/** The largest id there can be: the first page of a newest-first listing starts below it. */
export const NO_CURSOR = Number.MAX_SAFE_INTEGER;

interface GroupRow {
  fingerprint: string;
  count: number;
  first_seen: string;
  last_seen: string;
  services: string;
  types: string;
  sample_job_id: number;
  sample_error: string | null;
}

/** The console's fixed reads, prepared once; each state's count reads that state's own index. */
export function prepareReadStatements(db: Connection) {
  return {
    jobByIdentifier: db.prepare<[string], JobRow>(`SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE identifier = ?`),
    attempts: db.prepare<[number], AttemptRow>(`SELECT * FROM tb_job_attempt WHERE job_id = ? ORDER BY id`),
    // One part per state, each read from that state's own index alone (migration 0003).
    counts: db.prepare<[], QueueCount>(
      `SELECT queue, status, count(*) AS count FROM tb_job_run WHERE status = 'pending' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'running' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'completed' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'failed' GROUP BY queue
       UNION ALL SELECT queue, status, count(*) FROM tb_job_run WHERE status = 'cancelled' GROUP BY queue
       ORDER BY queue, status`,
    ),
    runningByService: db.prepare<[], { service_name: string; n: number }>(
      `SELECT service_name, count(*) AS n FROM tb_job_run WHERE status = 'running' GROUP BY service_name`,
    ),
    throughput: db.prepare<[Params], { bucket: number; completed: number; failed: number }>(
      `SELECT CAST(strftime('%s', completed_at) AS INTEGER) / CAST(@step AS INTEGER) * CAST(@step AS INTEGER) AS bucket,
              sum(status = 'completed') AS completed, sum(status = 'failed') AS failed
       FROM tb_job_run INDEXED BY idx_tb_job_run_completed_at WHERE completed_at >= @since AND status IN ('completed', 'failed')
       GROUP BY bucket`,
    ),
    latency: db.prepare<[string], { execution_type: string; count: number; p50: number | null; p95: number | null }>(
      `WITH d AS (
         SELECT execution_type, (julianday(completed_at) - julianday(started_at)) * 86400000.0 AS ms
         FROM tb_job_run INDEXED BY idx_tb_job_run_completed_at
         WHERE completed_at >= ? AND status = 'completed' AND started_at IS NOT NULL
       ), r AS (
         SELECT execution_type, ms, row_number() OVER (PARTITION BY execution_type ORDER BY ms) AS rn,
                count(*) OVER (PARTITION BY execution_type) AS n
         FROM d
       )
       SELECT execution_type, max(n) AS count,
              max(CASE WHEN rn = (n * 50 + 99) / 100 THEN ms END) AS p50,
              max(CASE WHEN rn = (n * 95 + 99) / 100 THEN ms END) AS p95
       FROM r GROUP BY execution_type`,
    ),
    oldestPending: db.prepare<[], { run_at: string | null }>(`SELECT min(run_at) AS run_at FROM tb_job_run WHERE status = 'pending'`),
    cancelRequested: db.prepare<[string], { id: number }>(
      `SELECT id FROM tb_job_run WHERE status = 'running' AND lease_owner = ? AND cancel_requested = 1 ORDER BY id`,
    ),
  };
}

type ReadStatements = ReturnType<typeof prepareReadStatements>;

export class SqliteReads {
  readonly #db: SqliteDb;
  readonly #s: ReadStatements;
  readonly #jobPages = new Map<string, BetterSqlite3.Statement<unknown[], JobRow>>();
  readonly #counts = new Map<string, BetterSqlite3.Statement<unknown[], { n: number }>>();
  readonly #groups = new Map<string, BetterSqlite3.Statement<unknown[], GroupRow>>();

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepareReadStatements(db.connection);
  }

  getJob(idOrIdentifier: number | string): Job | null {
    return this.#db.guard(() => {
      if (typeof idOrIdentifier === 'number') return this.#db.jobById(idOrIdentifier);
      const row = this.#s.jobByIdentifier.get(idOrIdentifier);
      if (row) return toJob(row);
      return /^\d{1,15}$/.test(idOrIdentifier) ? this.#db.jobById(Number(idOrIdentifier)) : null;
    });
  }

  listAttempts(jobId: number): Attempt[] {
    return this.#db.guard(() => this.#s.attempts.all(jobId).map(toAttempt));
  }

  listJobs(filter: JobFilter, page: PageRequest): Page<Job> {
    return this.#db.guard(() => this.#pageOfJobs(jobWhere(filter, now()), page));
  }

  dlqList(selector: DlqSelector, page: PageRequest): Page<Job> {
    return this.#db.guard(() => this.#pageOfJobs(dlqWhere(selector), page));
  }

  #pageOfJobs(where: Where, page: PageRequest): Page<Job> {
    const after = decodeCursor(page.after) ?? NO_CURSOR;
    const limit = clampLimit(page.limit);
    const statement = this.#db.cached(this.#jobPages, where.key, () =>
      `SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE ${where.sql} AND id < ? ORDER BY id DESC LIMIT ?`,
    );
    const rows = statement.all(...where.params, after, limit + 1);
    const items = rows.slice(0, limit).map(toJob);
    const last = items.at(-1);
    return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  countJobs(filter: JobFilter): number {
    return this.#db.guard(() => this.#count(jobWhere(filter, now())));
  }

  dlqCount(selector: DlqSelector): number {
    return this.#db.guard(() => this.#count(dlqWhere(selector)));
  }

  #count(where: Where): number {
    const statement = this.#db.cached(this.#counts, where.key, () => `SELECT count(*) AS n FROM tb_job_run WHERE ${where.sql}`);
    return statement.get(...where.params)?.n ?? 0;
  }

  dlqGroups(filter: { search?: string; service?: string }): DlqGroup[] {
    const where = dlqWhere({ search: filter.search, service: filter.service });
    const statement = this.#db.cached(this.#groups, where.key, () =>
      `SELECT g.*, (SELECT error_message FROM tb_job_run s WHERE s.id = g.sample_job_id) AS sample_error
       FROM (
         SELECT coalesce(error_fingerprint, '') AS fingerprint, count(*) AS count,
                min(coalesce(completed_at, updated_at)) AS first_seen, max(coalesce(completed_at, updated_at)) AS last_seen,
                json_group_array(DISTINCT service_name) AS services, json_group_array(DISTINCT execution_type) AS types,
                max(id) AS sample_job_id
         FROM tb_job_run WHERE ${where.sql}
         GROUP BY error_fingerprint
       ) g
       ORDER BY g.count DESC, g.last_seen DESC, g.fingerprint
       LIMIT 1000`,
    );
    return this.#db.guard(() =>
      statement.all(...where.params).map((row) => ({
        fingerprint: row.fingerprint,
        count: row.count,
        first_seen: row.first_seen,
        last_seen: row.last_seen,
        services: stringArray(row.services),
        execution_types: stringArray(row.types).map((t) => ExecutionType.parse(t)),
        sample_error: row.sample_error ?? '',
        sample_job_id: row.sample_job_id,
      })),
    );
  }

  countsByQueueAndStatus(): QueueCount[] {
    return this.#db.guard(() => this.#s.counts.all());
  }

  runningByService(): Record<string, number> {
    return this.#db.guard(() => Object.fromEntries(this.#s.runningByService.all().map((r) => [r.service_name, r.n])));
  }

  throughput(since: Date, bucketSeconds: number): ThroughputBucket[] {
    const step = Math.max(1, Math.trunc(bucketSeconds));
    const rows = this.#db.guard(() => this.#s.throughput.all({ since: since.toISOString(), step }));
    return fillBuckets(rows, since, new Date(), step);
  }

  latencyByType(since: Date): LatencyByType[] {
    const rows = this.#db.guard(() => this.#s.latency.all(since.toISOString()));
    const byType = new Map(rows.map((r) => [r.execution_type, r]));
    const ms = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.max(0, Math.round(value * 10) / 10));
    return EXECUTION_TYPES.map((type) => {
      const row = byType.get(type);
      return { execution_type: type, count: row?.count ?? 0, p50_ms: ms(row?.p50), p95_ms: ms(row?.p95) };
    });
  }

  oldestPendingRunAt(): string | null {
    return this.#db.guard(() => this.#s.oldestPending.get()?.run_at ?? null);
  }

  cancelRequested(workerId: string): number[] {
    return this.#db.guard(() => this.#s.cancelRequested.all(workerId).map((r) => r.id));
  }
}

function stringArray(json: string): string[] {
  const value = parseJson(json);
  return Array.isArray(value) ? value.map(String).sort() : [];
}
