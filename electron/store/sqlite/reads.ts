import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { ExecutionType } from '../../../shared/domain.ts';
import type { Attempt, DlqGroup, DlqSelector, Job, JobFilter, LatencyByType, QueueCount, ThroughputBucket } from '../../../shared/domain.ts';
import { fillBuckets, latencyFromBuckets } from '../buckets.ts';
import { checkDlqCursor, checkJobCursor, clampLimit, decodeCursor, encodeCursor, listsByCreation, listsByFailure } from '../cursor.ts';
import { keptFilterOf, keptFilterOfSelector } from '../keptFilter.ts';
import type { KeptFilter } from '../keptFilter.ts';
import { DLQ_GROUP_LIMIT, LANES_READ_MOST } from '../store.ts';
import type { LeasedAttempt, Page, PageRequest, QueueOldest, QueueOldestOf } from '../store.ts';
import { now } from './db.ts';
import type { Connection, SqliteDb } from './db.ts';
import { dlqWhere, jobWhere, plainWhere } from './filters.ts';
import { CreatedPages } from './createdPages.ts';
import { FailedPages } from './failedPages.ts';
import { statesPageSql } from './pageSql.ts';
import { CreatedWindow } from './createdWindow.ts';
import { LaneList } from './lanes.ts';
import type { SqliteRollupHours } from './rollupHours.ts';
import type { Where } from './filters.ts';
import { JOB_COLUMNS, parseJson, toAttempt, toJob } from './rows.ts';
import type { AttemptRow, JobRow } from './rows.ts';

const EMPTY_PAGE: Page<Job> = { items: [], next_cursor: null };

/** The largest id there can be: the first page of a newest-first listing starts below it. */
export const NO_CURSOR = Number.MAX_SAFE_INTEGER;

const GroupRow = z.object({
  fingerprint: z.string(),
  count: z.number(),
  first_seen: z.string(),
  last_seen: z.string(),
  services: z.string(),
  types: z.string(),
  /** Null only when the kept counts name a group whose jobs are gone (a hand edit): it is left out. */
  sample_job_id: z.number().nullable(),
  sample_error: z.string().nullable(),
  error_class: z.string().nullable(),
});
type GroupRow = z.infer<typeof GroupRow>;
const GroupRows = z.array(GroupRow);

function toGroup(row: GroupRow): DlqGroup {
  return {
    fingerprint: row.fingerprint,
    count: row.count,
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    services: stringArray(row.services),
    execution_types: stringArray(row.types).map((t) => ExecutionType.parse(t)),
    sample_error: row.sample_error ?? '',
    sample_job_id: row.sample_job_id ?? 0,
    error_class: row.error_class,
  };
}

/** The class a group's dead letters failed of, which their fingerprint is made with: its sample's last attempt's. */
const classOf = (sample: string) => `(SELECT a.error_class FROM tb_job_attempt a WHERE a.job_id = ${sample} ORDER BY a.id DESC LIMIT 1) AS error_class`;

/** An open dead letter of group `g`, of the wanted service if one is asked for: the index of their failure times. */
const GROUP_MEMBER = `status = 'failed' AND resolved_at IS NULL AND error_fingerprint = g.fingerprint
  AND (@service IS NULL OR service_name = @service)`;

/** The priority levels of the pending jobs, highest first, each found by one seek of the claim index. */
const PRIORITY_LEVELS = `levels(priority) AS (
  SELECT max(priority) FROM tb_job_run WHERE status = 'pending'
  UNION ALL
  SELECT (SELECT max(priority) FROM tb_job_run WHERE status = 'pending' AND priority < levels.priority)
  FROM levels WHERE levels.priority IS NOT NULL
)`;

/** The earlier of two run_at values: ISO text throughout the store, so it sorts as it compares. */
const earliestOf = (a: string, b: string): string => (b < a ? b : a);

const countSql = (where: string) => `SELECT count(*) AS n FROM tb_job_run WHERE ${where}`;
const Counted = z.array(z.object({ n: z.number() }));

/** The console's fixed reads, prepared once. Counts and charts read the tallies of migration 0005. */
export function prepareReadStatements(db: Connection) {
  return {
    jobByIdentifier: db.prepare<[string], JobRow>(`SELECT ${JOB_COLUMNS} FROM tb_job_run WHERE identifier = ?`),
    attempts: db.prepare<[number], AttemptRow>(`SELECT * FROM tb_job_attempt WHERE job_id = ? ORDER BY id`),
    counts: db.prepare<[], QueueCount>(
      `SELECT queue, state AS status, sum(n) AS count FROM tb_job_count WHERE state <> 'dead_letter'
       GROUP BY queue, state HAVING sum(n) <> 0 ORDER BY queue, state`,
    ),
    pendingByService: db.prepare<[], { service_name: string; n: number }>(
      `SELECT service_name, sum(n) AS n FROM tb_job_count WHERE state = 'pending' GROUP BY service_name HAVING sum(n) <> 0`,
    ),
    groups: db.prepare<[{ service: string | null }], GroupRow>(
      `WITH kept AS (
         SELECT fingerprint, service_name, execution_type FROM tb_job_count
         WHERE state = 'dead_letter' AND (@service IS NULL OR service_name = @service)
         GROUP BY fingerprint, service_name, execution_type HAVING sum(n) > 0
       ),
       g AS (
         SELECT k.fingerprint, json_group_array(DISTINCT k.service_name) AS services, json_group_array(DISTINCT k.execution_type) AS types,
           (SELECT sum(n) FROM tb_job_count c WHERE c.state = 'dead_letter' AND c.fingerprint = k.fingerprint
              AND (@service IS NULL OR c.service_name = @service)) AS count
         FROM kept k GROUP BY k.fingerprint
       ),
       probed AS (
         SELECT g.*, (SELECT min(completed_at) FROM tb_job_run INDEXED BY idx_tb_job_run_dlq_failed_at WHERE ${GROUP_MEMBER}) AS first_seen,
           (SELECT id FROM tb_job_run INDEXED BY idx_tb_job_run_dlq_failed_at WHERE ${GROUP_MEMBER} ORDER BY completed_at DESC LIMIT 1) AS sample_job_id
         FROM g
       )
       SELECT p.fingerprint, p.count, p.first_seen, s.completed_at AS last_seen, p.services, p.types, p.sample_job_id, s.error_message AS sample_error,
         ${classOf('p.sample_job_id')}
       FROM probed p LEFT JOIN tb_job_run s ON s.id = p.sample_job_id
       ORDER BY p.count DESC, last_seen DESC, p.fingerprint
       LIMIT ${DLQ_GROUP_LIMIT}`,
    ),
    keptCount: db.prepare<[{ states: string; queue: string | null; service: string | null; types: string | null; fingerprint: string | null }], { n: number }>(
      `SELECT coalesce(sum(n), 0) AS n FROM tb_job_count
       WHERE state IN (SELECT value FROM json_each(@states)) AND (@queue IS NULL OR queue = @queue)
         AND (@service IS NULL OR service_name = @service) AND (@fingerprint IS NULL OR fingerprint = @fingerprint)
         AND (@types IS NULL OR execution_type IN (SELECT value FROM json_each(@types)))`,
    ),
    deadLetters: db.prepare<[], { n: number | null }>(`SELECT sum(n) AS n FROM tb_job_count WHERE state = 'dead_letter'`),
    deadLettersByQueue: db.prepare<[], { queue: string; n: number }>(
      `SELECT queue, sum(n) AS n FROM tb_job_count WHERE state = 'dead_letter' GROUP BY queue HAVING sum(n) <> 0`,
    ),
    runningByService: db.prepare<[], { service_name: string; n: number }>(
      `SELECT service_name, count(*) AS n FROM tb_job_run WHERE status = 'running' GROUP BY service_name`,
    ),
    throughput: db.prepare<[number, number, number, number], { bucket: number; completed: number; failed: number }>(
      `SELECT minute / CAST(? AS INTEGER) * CAST(? AS INTEGER) AS bucket, sum(completed) AS completed, sum(failed) AS failed
       FROM tb_job_rollup WHERE minute >= ? AND minute <= ? GROUP BY bucket`,
    ),
    // The claim index orders pending jobs by priority first: one seek per priority level present finds
    // each level's earliest run_at, or its not-yet-due jobs, without reading the backlog between.
    oldestPending: db.prepare<[], { run_at: string | null }>(
      `WITH RECURSIVE ${PRIORITY_LEVELS}
       SELECT min((SELECT min(run_at) FROM tb_job_run WHERE status = 'pending' AND priority = p.priority)) AS run_at
       FROM levels p WHERE p.priority IS NOT NULL`,
    ),
    scheduled: db.prepare<[{ now: string; cap: number }], { n: number | null }>(
      `WITH RECURSIVE ${PRIORITY_LEVELS}
       SELECT sum((SELECT count(*) FROM (SELECT 1 FROM tb_job_run WHERE status = 'pending' AND priority = p.priority AND run_at > @now LIMIT @cap)))
         AS n
       FROM levels p WHERE p.priority IS NOT NULL`,
    ),
    // The same walk, each entry's queue read from the claim index itself (its last column), `cap` entries in all.
    scheduledByQueue: db.prepare<[{ now: string; cap: number }], { queue: string; n: number }>(
      `WITH RECURSIVE ${PRIORITY_LEVELS}
       SELECT queue, count(*) AS n FROM (
         SELECT j.queue FROM levels p JOIN tb_job_run j INDEXED BY idx_tb_job_run_claim
           ON j.status = 'pending' AND j.priority = p.priority AND j.run_at > @now
         WHERE p.priority IS NOT NULL
         LIMIT @cap)
       GROUP BY queue`,
    ),
    stuck: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM tb_job_run WHERE status = 'running' AND lease_expires_at < ?`),
    cancelRequested: db.prepare<[string], { id: number }>(
      `SELECT id FROM tb_job_run WHERE status = 'running' AND lease_owner = ? AND cancel_requested = 1 ORDER BY id`,
    ),
    leasedAttempts: db.prepare<[string], { id: number; attempt_id: number; lease_expires_at: string | null }>(
      `SELECT j.id, a.id AS attempt_id, j.lease_expires_at FROM tb_job_run j JOIN tb_job_attempt a ON a.job_id = j.id AND a.outcome = 'running'
       WHERE j.status = 'running' AND j.lease_owner = ? ORDER BY j.id`,
    ),
  };
}

type ReadStatements = ReturnType<typeof prepareReadStatements>;

export class SqliteReads {
  readonly #db: SqliteDb;
  readonly #s: ReadStatements;
  readonly #jobPages = new Map<string, BetterSqlite3.Statement<unknown[], JobRow>>();
  readonly #counts = new Map<string, BetterSqlite3.Statement<unknown[], { n: number }>>();
  readonly #lanes: LaneList;
  readonly #created: CreatedWindow;
  readonly #createdPages: CreatedPages;
  readonly #failedPages: FailedPages;
  readonly #hours: SqliteRollupHours;

  /** `hours` reads the summed hours for the Overview's charts. */
  constructor(db: SqliteDb, hours: SqliteRollupHours) {
    this.#db = db;
    this.#hours = hours;
    this.#s = prepareReadStatements(db.connection);
    this.#lanes = new LaneList(db.connection);
    this.#created = new CreatedWindow(db.connection);
    this.#createdPages = new CreatedPages(db);
    this.#failedPages = new FailedPages(db.connection);
  }

  getJob(idOrIdentifier: number | string): Job | null {
    return this.#db.guard(() => {
      if (typeof idOrIdentifier === 'number') return this.#db.jobById(idOrIdentifier);
      const row = this.#s.jobByIdentifier.get(idOrIdentifier);
      return row ? toJob(row) : null;
    });
  }

  listAttempts(jobId: number): Attempt[] {
    return this.#db.guard(() => this.#s.attempts.all(jobId).map(toAttempt));
  }

  listJobs(filter: JobFilter, page: PageRequest): Page<Job> {
    return this.#db.guard(() => {
      const kept = keptFilterOf(filter);
      checkJobCursor(filter, page.after);
      if (this.#keptNone(kept)) return EMPTY_PAGE;
      const where = jobWhere(filter, now());
      if (!listsByCreation(filter)) return this.#pageOfJobs(where, page);
      return this.#createdPages.page(where, page, (state) => (kept === null ? Number.POSITIVE_INFINITY : this.#keptCount({ ...kept, states: [state] })));
    });
  }

  dlqList(selector: DlqSelector, page: PageRequest): Page<Job> {
    return this.#db.guard(() => {
      // Refused even where the kept counts answer an empty page unread (checkJobCursor).
      checkDlqCursor(selector, page.after);
      if (this.#keptNone(keptFilterOfSelector(selector))) return EMPTY_PAGE;
      return listsByFailure(selector) ? this.#failedPages.page(selector.fingerprint, page) : this.#pageOfJobs(dlqWhere(selector), page);
    });
  }

  /** The kept counts say no job can match: a listing need not read a state's jobs to the end to find none. */
  #keptNone(kept: KeptFilter | null): boolean {
    return kept !== null && this.#keptCount(kept) === 0;
  }

  #keptCount(kept: KeptFilter): number {
    return (
      this.#s.keptCount.get({
        states: JSON.stringify(kept.states),
        queue: kept.queue,
        service: kept.service,
        types: kept.types === null ? null : JSON.stringify(kept.types),
        fingerprint: kept.fingerprint,
      })?.n ?? 0
    );
  }

  /**
   * Newest id first below the cursor. A text search walks the trigram index's matches newest first and
   * checks the rest of the filter on each; a failure class with a creation-time range that holds few jobs
   * reads them through the creation-time index; two states or more are walked each by its own index and
   * merged (`Where.arms`); anything else walks tb_job_run by the index the filter names.
   */
  #pageOfJobs(where: Where, page: PageRequest): Page<Job> {
    const after = decodeCursor(page.after) ?? NO_CURSOR;
    const limit = clampLimit(page.limit);
    const byCreated = where.match === null && where.created !== null && this.#created.isSmall(where.created);
    const arms = where.match === null && !byCreated && where.arms !== null && where.arms.length > 1 ? where.arms : null;
    const rows =
      arms !== null
        ? this.#db
            .cached(this.#jobPages, `${where.key}:arms`, () => statesPageSql(arms))
            .all(...arms.flatMap(() => [...where.params, after]), limit + 1)
        : where.match === null
        ? this.#db
            .cached(
              this.#jobPages,
              byCreated ? `${where.key}:created` : where.key,
              () =>
                `SELECT ${JOB_COLUMNS} FROM tb_job_run ${byCreated ? 'INDEXED BY idx_tb_job_run_created_at' : ''}
                 WHERE ${where.sql} AND id < ? ORDER BY id DESC LIMIT ?`,
            )
            .all(...where.params, after, limit + 1)
        : this.#db
            .cached(
              this.#jobPages,
              where.key,
              () =>
                `SELECT ${JOB_COLUMNS} FROM tb_job_error_text m JOIN tb_job_run ON id = m.rowid
                 WHERE tb_job_error_text MATCH ? AND m.rowid < ? AND ${where.sql} ORDER BY m.rowid DESC LIMIT ?`,
            )
            .all(where.match, after, ...where.params, limit + 1);
    const items = rows.slice(0, limit).map(toJob);
    const last = items.at(-1);
    return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  countJobs(filter: JobFilter): number {
    const kept = keptFilterOf(filter);
    return this.#db.guard(() => (kept?.exact ? this.#keptCount(kept) : this.#count(jobWhere(filter, now()))));
  }

  dlqCount(selector: DlqSelector): number {
    const kept = keptFilterOfSelector(selector);
    return this.#db.guard(() => (kept.exact ? this.#keptCount(kept) : this.#count(dlqWhere(selector))));
  }

  /**
   * The dead letters a text search matches, counted one by one as their groups are read (a search
   * matching more groups than a page shows, a resolve's dry run): on the read thread as those are.
   */
  async searchedDlqCount(selector: DlqSelector): Promise<number> {
    const plain = plainWhere(dlqWhere(selector));
    const [rows] = await this.#db.aside([{ sql: countSql(plain.sql), args: plain.params }]);
    return Counted.parse(rows)[0]?.n ?? 0;
  }

  #count(where: Where): number {
    const plain = plainWhere(where);
    const statement = this.#db.cached(this.#counts, where.key, () => countSql(plain.sql));
    return statement.get(...plain.params)?.n ?? 0;
  }

  /**
   * The groups, counts and services come from the kept counts; each group's first and last seen are the
   * failure times of its oldest and newest open dead letter by job id (the newest is the sample), two
   * seeks of the dead-letter index.
   */
  keptGroups(service: string | undefined): DlqGroup[] {
    const rows = this.#db.guard(() => this.#s.groups.all({ service: service ?? null }));
    return rows.filter((row) => row.sample_job_id !== null).map(toGroup);
  }

  /**
   * A text search reads the open dead letters' index of everything a group needs, their error included
   * (0035), whole, and compares each error: the full-text index's candidates are every job whose error
   * matched, dead letter or not, and looking each up in the job table cost far more. Its cost grows with
   * the open dead letters (10 to 25 ms at 33 000), so on the read thread, beside the engine.
   */
  async searchedGroups(filter: { search: string; service?: string }): Promise<DlqGroup[]> {
    const where = plainWhere(dlqWhere({ search: filter.search, service: filter.service }));
    const [rows] = await this.#db.aside([
      {
        sql: `SELECT g.*, (SELECT error_message FROM tb_job_run s WHERE s.id = g.sample_job_id) AS sample_error, ${classOf('g.sample_job_id')}
         FROM (
           SELECT coalesce(error_fingerprint, '') AS fingerprint, count(*) AS count,
                  min(coalesce(completed_at, updated_at)) AS first_seen, max(coalesce(completed_at, updated_at)) AS last_seen,
                  json_group_array(DISTINCT service_name) AS services, json_group_array(DISTINCT execution_type) AS types,
                  max(id) AS sample_job_id
           FROM tb_job_run INDEXED BY idx_tb_job_run_dlq_text WHERE ${where.sql}
           GROUP BY error_fingerprint
         ) g
         ORDER BY g.count DESC, g.last_seen DESC, g.fingerprint
         LIMIT ${DLQ_GROUP_LIMIT}`,
        args: where.params,
      },
    ]);
    return GroupRows.parse(rows).map(toGroup);
  }

  countsByQueueAndStatus(): QueueCount[] {
    return this.#db.guard(() => this.#s.counts.all());
  }

  runningByService(): Record<string, number> {
    return this.#db.guard(() => Object.fromEntries(this.#s.runningByService.all().map((r) => [r.service_name, r.n])));
  }

  pendingByService(): Record<string, number> {
    return this.#db.guard(() => Object.fromEntries(this.#s.pendingByService.all().map((r) => [r.service_name, r.n])));
  }

  deadLetterCount(): number {
    return this.#db.guard(() => this.#s.deadLetters.get()?.n ?? 0);
  }

  deadLettersByQueue(): Record<string, number> {
    return this.#db.guard(() => Object.fromEntries(this.#s.deadLettersByQueue.all().map((r) => [r.queue, r.n])));
  }

  async throughput(since: Date, bucketSeconds: number): Promise<ThroughputBucket[]> {
    const step = Math.max(60, Math.trunc(bucketSeconds / 60) * 60);
    const end = new Date();
    // An hour a bucket (the Overview's day) reads the summed hours, the minutes on either side.
    const rows = this.#db.guard(() =>
      step === 3600 ? this.#hours.hourlyThroughput(since, end) : this.#s.throughput.all(step, step, minuteStart(since), minuteStart(end)),
    );
    return fillBuckets(rows, since, end, step);
  }

  /** From the summed hours and the minutes on either side, as `metrics.byType` reads them. */
  latencyByType(since: Date): LatencyByType[] {
    return latencyFromBuckets(this.#db.guard(() => this.#hours.latencySince(since)));
  }

  oldestPendingRunAt(): string | null {
    return this.#db.guard(() => this.#s.oldestPending.get()?.run_at ?? null);
  }

  oldestPendingByQueue(): QueueOldest[] | null {
    const lanes = this.#db.guard(() => this.#lanes.upTo(LANES_READ_MOST));
    if (lanes === null) return null;
    const earliest = new Map<string, string>();
    for (const lane of lanes) {
      const before = earliest.get(lane.queue);
      if (before === undefined || earliestOf(lane.earliest_run_at, before) === lane.earliest_run_at) earliest.set(lane.queue, lane.earliest_run_at);
    }
    return [...earliest].map(([queue, run_at]) => ({ queue, run_at }));
  }

  oldestPendingOf(queues: readonly string[]): QueueOldestOf[] {
    return this.#db.guard(() => {
      let left = LANES_READ_MOST;
      return [...new Set(queues)].map((queue) => {
        const lanes = left > 0 ? this.#lanes.upTo(left, queue) : null;
        if (lanes === null) {
          left = 0;
          return { queue, run_at: null, read: false };
        }
        left -= lanes.length;
        return { queue, run_at: lanes.reduce<string | null>((min, lane) => (min === null ? lane.earliest_run_at : earliestOf(min, lane.earliest_run_at)), null), read: true };
      });
    });
  }

  scheduledCount(limit: number): number {
    const cap = Math.max(0, Math.trunc(limit));
    return this.#db.guard(() => Math.min(cap, this.#s.scheduled.get({ now: now(), cap })?.n ?? 0));
  }

  scheduledByQueue(limit: number): Record<string, number> {
    const cap = Math.max(0, Math.trunc(limit));
    return this.#db.guard(() => Object.fromEntries(this.#s.scheduledByQueue.all({ now: now(), cap }).map((r) => [r.queue, r.n])));
  }

  stuckCount(): number {
    return this.#db.guard(() => this.#s.stuck.get(now())?.n ?? 0);
  }

  cancelRequested(workerId: string): number[] {
    return this.#db.guard(() => this.#s.cancelRequested.all(workerId).map((r) => r.id));
  }

  leasedAttempts(workerId: string): LeasedAttempt[] {
    return this.#db.guard(() => this.#s.leasedAttempts.all(workerId).map((r) => ({ jobId: r.id, attemptId: r.attempt_id, leaseExpiresAt: r.lease_expires_at })));
  }
}

function stringArray(json: string): string[] {
  const value = parseJson(json);
  return Array.isArray(value) ? value.map(String).sort() : [];
}

/** The unix second a minute starts at: rollups are kept per minute. */
function minuteStart(at: Date): number {
  return Math.floor(at.getTime() / 60_000) * 60;
}
