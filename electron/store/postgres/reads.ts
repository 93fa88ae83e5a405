import { z } from 'zod';
import type { Attempt, DlqGroup, DlqSelector, Job, JobFilter, LatencyByType, QueueCount, ThroughputBucket } from '../../../shared/domain.ts';
import { DlqGroup as DlqGroupSchema } from '../../../shared/domain.ts';
import { FailureGroup as FailureGroupSchema } from '../../../shared/views.ts';
import type { FailureGroup } from '../../../shared/views.ts';
import { fillBuckets, latencyFromBuckets } from '../buckets.ts';
import { checkDlqCursor, checkJobCursor, clampLimit, decodeCursor, encodeCursor, listsByCreation, listsByFailure } from '../cursor.ts';
import { pageByFailure } from './failedPages.ts';
import { pageByCreation } from './createdPages.ts';
import { hourCeil, minuteFloor } from '../rollupHours.ts';
import { hourlyThroughput, rollupsByType } from './rollupHours.ts';
import { pageOfScheduled } from './scheduledPages.ts';
import { searchesFailuresOnly, walkErrored } from './searchedFailures.ts';
import type { ScheduledScope } from './scheduledPages.ts';
import { keptFilterOf, keptFilterOfSelector } from '../keptFilter.ts';
import type { KeptFilter } from '../keptFilter.ts';
import type { PgDb, Row } from './db.ts';
import { OPEN_DEAD_LETTER, dlqParams, dlqWhereSql, finalClassFingerprintsSql, jobFilterParams, jobFilterSql, likePattern, openDeadLetterSearchSql } from './filters.ts';
import { ATTEMPT_COLUMNS, JOB_COLUMNS, QueueCountRow, countOf, idsOf, toAttempt, toJob } from './rows.ts';
import { DLQ_GROUP_LIMIT } from '../store.ts';
import type { LeasedAttempt, Page, PageRequest } from '../store.ts';

/** Reads for the console and the engine's few reads outside the hot path. */

export async function getJob(db: PgDb, idOrIdentifier: number | string): Promise<Job | null> {
  const rows =
    typeof idOrIdentifier === 'number'
      ? Number.isSafeInteger(idOrIdentifier)
        ? await db.read(`SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run WHERE id = $1`, [idOrIdentifier])
        : []
      : await db.read(`SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run WHERE identifier = $1`, [idOrIdentifier]);
  return rows[0] ? toJob(rows[0]) : null;
}

/**
 * Finished attempts are rows of their own; the one in progress is the job row (see
 * migrations/postgres/0004_lean_hot_path.sql), shown here as an attempt like the others.
 */
const ATTEMPTS_SQL = `
SELECT ${ATTEMPT_COLUMNS} FROM jobs.tb_job_attempt WHERE job_id = $1
UNION ALL
SELECT attempt_id, id, attempts, lease_owner, started_at, NULL, 'running', NULL, NULL, NULL, NULL
FROM jobs.tb_job_run WHERE id = $1 AND attempt_id IS NOT NULL
ORDER BY id`;

export async function listAttempts(db: PgDb, jobId: number): Promise<Attempt[]> {
  if (!Number.isSafeInteger(jobId)) return [];
  const rows = await db.read(ATTEMPTS_SQL, [jobId]);
  return rows.map(toAttempt);
}

/** A page from rows fetched newest first with one more than `limit`: the extra one says there is more. */
function pageOf(rows: Row[], limit: number): Page<Job> {
  const items = rows.slice(0, limit).map(toJob);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

/** Up to `want` jobs matching `where`, newest id first below `after`. */
function jobsBelow(db: PgDb, where: string, params: unknown[], after: number | null, want: number): Promise<Row[]> {
  const n = params.length;
  return db.read(
    `SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run
     WHERE ${where} AND ($${n + 1}::bigint IS NULL OR id < $${n + 1}::bigint)
     ORDER BY id DESC LIMIT $${n + 2}`,
    [...params, after, want],
  );
}

async function pageOfJobs(db: PgDb, where: string, params: unknown[], page: PageRequest): Promise<Page<Job>> {
  const limit = clampLimit(page.limit);
  return pageOf(await jobsBelow(db, where, params, decodeCursor(page.after), limit + 1), limit);
}

/** A searched page of failed jobs: the errored jobs walked first, the listing's own plan below them (searchedFailures.ts). */
async function pageOfSearchedFailures(db: PgDb, where: string, params: unknown[], page: PageRequest): Promise<Page<Job>> {
  const limit = clampLimit(page.limit);
  const walked = await walkErrored(db, where, params, decodeCursor(page.after), limit + 1);
  if (walked.below === null) return pageOf(walked.rows, limit);
  const rest = await jobsBelow(db, where, params, walked.below, limit + 1 - walked.rows.length);
  return pageOf([...walked.rows, ...rest], limit);
}

/**
 * What the kept counts (tb_job_count) say of the countable part of a filter: the number of jobs it can
 * match at most (exactly, when nothing else narrows it).
 */
async function keptCount(db: PgDb, kept: KeptFilter): Promise<number> {
  return countOf(
    await db.read(
      `SELECT coalesce(sum(n), 0) AS n FROM jobs.tb_job_count
       WHERE state = ANY($1::text[]) AND ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR service_name = $3)
         AND ($4::text[] IS NULL OR execution_type = ANY($4::text[])) AND ($5::text IS NULL OR fingerprint = $5)`,
      [kept.states, kept.queue, kept.service, kept.types, kept.fingerprint],
    ),
  );
}

const EMPTY_PAGE: Page<Job> = { items: [], next_cursor: null };

/** When the kept counts say no job can match, a listing need not read the jobs to the end to find none. */
async function keptNone(db: PgDb, kept: KeptFilter | null): Promise<boolean> {
  return kept !== null && (await keptCount(db, kept)) === 0;
}

export async function listJobs(db: PgDb, filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
  checkJobCursor(filter, page.after);
  if (await keptNone(db, keptFilterOf(filter))) return EMPTY_PAGE;
  if (listsByCreation(filter)) return pageByCreation(db, jobFilterSql(0, filter), jobFilterParams(filter), page);
  const scope = scheduledScope(filter);
  if (scope !== null) return pageOfScheduled(db, scope, page);
  if (searchesFailuresOnly(filter)) return pageOfSearchedFailures(db, jobFilterSql(0, filter), jobFilterParams(filter), page);
  return pageOfJobs(db, jobFilterSql(0, filter), jobFilterParams(filter), page);
}

/**
 * A filter asking only for the pending jobs not yet due, of a queue, a service or all: the ready rows
 * answer its count and its pages (scheduledPages.ts; every pending job has one, with its queue, service
 * and run_at), where the job table has no index that finds the pending jobs of a queue: at a million
 * jobs, 0.5 to 1 s a queue read there. The health check's dispatch check asks for it on every queue with
 * due jobs, and the overview asks for that check every 15 s.
 */
function scheduledScope(filter: JobFilter): ScheduledScope | null {
  const { status, scheduled, queue, service, ...rest } = filter;
  if (scheduled !== true || (status !== undefined && status.some((s) => s !== 'pending'))) return null;
  if (Object.values(rest).some((value) => value !== undefined && value !== false && value !== '')) return null;
  return { queue: queue ?? null, service: service ?? null };
}

export async function countJobs(db: PgDb, filter: JobFilter): Promise<number> {
  const kept = keptFilterOf(filter);
  if (kept?.exact) return keptCount(db, kept);
  const scope = scheduledScope(filter);
  if (scope !== null) {
    return countOf(
      await db.read(
        `SELECT count(*) AS n FROM jobs.tb_job_ready
         WHERE run_at > now() AND ($1::text IS NULL OR queue = $1) AND ($2::text IS NULL OR service_name = $2)`,
        [scope.queue, scope.service],
      ),
    );
  }
  return countOf(await db.read(`SELECT count(*) AS n FROM jobs.tb_job_run WHERE ${jobFilterSql(0, filter)}`, jobFilterParams(filter)));
}

export async function dlqCount(db: PgDb, selector: DlqSelector): Promise<number> {
  const kept = keptFilterOfSelector(selector);
  if (kept.exact) return keptCount(db, kept);
  return countOf(await db.read(`SELECT count(*) AS n FROM jobs.tb_job_run WHERE ${dlqWhereSql(0, selector)}`, dlqParams(selector)));
}

export async function dlqList(db: PgDb, selector: DlqSelector, page: PageRequest): Promise<Page<Job>> {
  // Refused even where the kept counts answer an empty page unread (checkJobCursor).
  checkDlqCursor(selector, page.after);
  if (await keptNone(db, keptFilterOfSelector(selector))) return EMPTY_PAGE;
  if (listsByFailure(selector)) return pageByFailure(db, selector.fingerprint, page);
  if ((selector.search !== undefined && selector.search !== '') || selector.error_class !== undefined) return openDeadLetterPage(db, selector, page);
  return pageOfJobs(db, dlqWhereSql(0, selector), dlqParams(selector), page);
}

/**
 * A searched page of dead letters, or one of a failure class: its ids from jobs.tb_open_dead_letter (text,
 * fingerprint and service are there, the text behind a trigram index; a class is its groups'
 * fingerprints), newest first, then those jobs only. Which plan the job table alone would get depended on
 * how many matches the planner guessed: a bitmap of every match, a page read for each (120 ms for a common
 * phrase at a million jobs), or a walk of every job that ever failed for a rare phrase or a class with no
 * open dead letter (half a second). The jobs are checked again to be open dead letters.
 */
async function openDeadLetterPage(db: PgDb, selector: DlqSelector, page: PageRequest): Promise<Page<Job>> {
  const limit = clampLimit(page.limit);
  const after = decodeCursor(page.after);
  const searched = selector.search !== undefined && selector.search !== '';
  const rows = await db.read(
    `SELECT ${JOB_COLUMNS} FROM jobs.tb_job_run
     WHERE id = ANY(ARRAY(
         SELECT d.job_id FROM jobs.tb_open_dead_letter d
         WHERE ${searched ? openDeadLetterSearchSql('$3', '$5') : '$3::text IS NULL AND $5::text IS NULL'}
           AND ($1::bigint[] IS NULL OR d.job_id = ANY($1::bigint[]))
           AND ($2::text IS NULL OR d.error_fingerprint = $2)
           AND ($4::text IS NULL OR d.service_name = $4)
           AND ${selector.error_class === undefined ? '$6::text[] IS NULL' : `d.error_fingerprint = ANY(ARRAY(${finalClassFingerprintsSql('$6')}))`}
           AND ($7::bigint IS NULL OR d.job_id < $7::bigint)
         ORDER BY d.job_id DESC LIMIT $8))
       AND ${OPEN_DEAD_LETTER}
     ORDER BY id DESC`,
    [...dlqParams(selector), after, limit + 1],
  );
  return pageOf(rows, limit);
}

/** The class a group's dead letters failed of, which their fingerprint is made with: its sample's last attempt's (one seek of the key). */
const classOfSample = (sample: string) => `(SELECT a.error_class FROM jobs.tb_job_attempt a WHERE a.job_id = ${sample} ORDER BY a.id DESC LIMIT 1) AS error_class`;

/**
 * The groups, counts and services come from the kept counts; each group's first and last seen are its
 * earliest and latest failure (the latest is the sample), found at either end of the open dead letters'
 * index of failure times (migration 0025). A text search has to look at the matching dead letters.
 */
export async function dlqGroups(db: PgDb, filter: { search?: string; service?: string }): Promise<DlqGroup[]> {
  if (filter.search !== undefined && filter.search !== '') return searchedGroups(db, filter);
  const member = `d.error_fingerprint = g.fingerprint AND ($1::text IS NULL OR d.service_name = $1)`;
  const rows = await db.read(
    `WITH kept AS (
       SELECT fingerprint, service_name, execution_type, sum(n) AS n FROM jobs.tb_job_count
       WHERE state = 'dead_letter' AND ($1::text IS NULL OR service_name = $1)
       GROUP BY fingerprint, service_name, execution_type HAVING sum(n) > 0
     ),
     g AS (
       SELECT fingerprint, sum(n) AS count, array_agg(DISTINCT service_name ORDER BY service_name) AS services,
         array_agg(DISTINCT execution_type ORDER BY execution_type) AS execution_types
       FROM kept GROUP BY fingerprint
     )
     SELECT g.fingerprint, g.count, g.services, g.execution_types, f.failed_at AS first_seen, l.failed_at AS last_seen,
       l.id AS sample_job_id, coalesce(l.error_message, '') AS sample_error, ${classOfSample('l.id')}
     FROM g
     CROSS JOIN LATERAL (
       SELECT d.failed_at FROM jobs.tb_open_dead_letter d WHERE ${member} ORDER BY d.failed_at LIMIT 1
     ) f
     CROSS JOIN LATERAL (
       SELECT d.job_id AS id, d.failed_at, j.error_message FROM jobs.tb_open_dead_letter d JOIN jobs.tb_job_run j ON j.id = d.job_id
       WHERE ${member} ORDER BY d.failed_at DESC LIMIT 1
     ) l
     ORDER BY g.count DESC, l.failed_at DESC, g.fingerprint
     LIMIT ${DLQ_GROUP_LIMIT}`,
    [filter.service ?? null],
  );
  return rows.map((row) => DlqGroupSchema.parse(row));
}

/**
 * Matches are found in jobs.tb_open_dead_letter, the open dead letters' lowered error text kept by
 * triggers (migrations/postgres/0019_open_dead_letter_table.sql says why a table of its own), as the
 * list's search finds them. strpos confirms what a trigram match only suggests, and the job row's own
 * state is checked again.
 */
async function searchedGroups(db: PgDb, filter: { search?: string; service?: string }): Promise<DlqGroup[]> {
  const rows = await db.read(
    `WITH open AS (
       SELECT j.id, j.service_name, j.execution_type, j.error_message, coalesce(j.error_fingerprint, '') AS fingerprint,
         coalesce(j.completed_at, j.updated_at) AS failed_at
       FROM jobs.tb_open_dead_letter d JOIN jobs.tb_job_run j ON j.id = d.job_id
       WHERE ${openDeadLetterSearchSql('$2', '$1')}
         AND j.resolved_at IS NULL AND j.status = 'failed' AND j.error_fingerprint IS NOT NULL
         AND ($3::text IS NULL OR j.service_name = $3)
     )
     SELECT g.*, ${classOfSample('g.sample_job_id')}
     FROM (
       SELECT fingerprint, count(*) AS count, min(failed_at) AS first_seen, max(failed_at) AS last_seen,
         array_agg(DISTINCT service_name ORDER BY service_name) AS services,
         array_agg(DISTINCT execution_type ORDER BY execution_type) AS execution_types,
         (array_agg(coalesce(error_message, '') ORDER BY id DESC))[1] AS sample_error,
         max(id) AS sample_job_id
       FROM open
       GROUP BY fingerprint
       ORDER BY count(*) DESC, max(failed_at) DESC, fingerprint
       LIMIT ${DLQ_GROUP_LIMIT}
     ) g
     ORDER BY g.count DESC, g.last_seen DESC, g.fingerprint`,
    [likePattern(filter.search), filter.search, filter.service ?? null],
  );
  return rows.map((row) => DlqGroupSchema.parse(row));
}

export async function countsByQueueAndStatus(db: PgDb): Promise<QueueCount[]> {
  const rows = await db.read(
    `SELECT queue, state AS status, sum(n) AS count FROM jobs.tb_job_count WHERE state <> 'dead_letter'
     GROUP BY queue, state HAVING sum(n) <> 0 ORDER BY queue, state`,
  );
  return rows.map((row) => QueueCountRow.parse(row));
}

export async function pendingByService(db: PgDb): Promise<Record<string, number>> {
  const rows = await db.read(
    `SELECT service_name, sum(n) AS n FROM jobs.tb_job_count WHERE state = 'pending' GROUP BY service_name HAVING sum(n) <> 0`,
  );
  return Object.fromEntries(rows.map((row) => [String(row.service_name), Number(row.n)]));
}

export async function deadLetterCount(db: PgDb): Promise<number> {
  const rows = await db.read(`SELECT coalesce(sum(n), 0) AS n FROM jobs.tb_job_count WHERE state = 'dead_letter'`);
  return countOf(rows);
}

export async function deadLettersByQueue(db: PgDb): Promise<Record<string, number>> {
  const rows = await db.read(`SELECT queue, sum(n) AS n FROM jobs.tb_job_count WHERE state = 'dead_letter' GROUP BY queue HAVING sum(n) <> 0`);
  return Object.fromEntries(rows.map((row) => [String(row.queue), Number(row.n)]));
}

export async function runningByService(db: PgDb): Promise<Record<string, number>> {
  const rows = await db.engineQuery(`SELECT service_name, count(*) AS n FROM jobs.tb_job_run
     WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease)) AND status = 'running' GROUP BY service_name`);
  const out: Record<string, number> = {};
  for (const row of rows) out[String(row.service_name)] = Number(row.n);
  return out;
}

const BucketRow = z.object({ bucket: z.number(), completed: z.number(), failed: z.number() });

/** Minute rollups (migration 0008) summed into buckets of whole minutes. */
export async function throughput(db: PgDb, since: Date, bucketSeconds: number): Promise<ThroughputBucket[]> {
  const step = Math.max(60, Math.trunc(bucketSeconds / 60) * 60);
  const end = new Date();
  // An hour a bucket (the Overview's day) reads the summed hours, the minutes on either side.
  if (step === 3600) return fillBuckets(await hourlyThroughput(db, since, end), since, end, step);
  const rows = await db.read(
    `SELECT (extract(epoch FROM minute)::bigint / $3 * $3) AS bucket,
       sum(completed) AS completed, sum(failed) AS failed
     FROM jobs.tb_job_rollup
     WHERE minute >= date_trunc('minute', $1::timestamptz) AND minute <= $2::timestamptz
     GROUP BY 1`,
    [since.toISOString(), end.toISOString(), step],
  );
  return fillBuckets(rows.map((row) => BucketRow.parse(row)), since, end, step);
}

/**
 * Percentiles from the rollups' duration buckets (shared/latencyBuckets.ts), as on SQLite: the summed hours
 * and the minutes on either side, as `metrics.byType` reads them.
 */
export async function latencyByType(db: PgDb, since: Date): Promise<LatencyByType[]> {
  return latencyFromBuckets((await rollupsByType(db, since)).latency);
}

/** Running jobs are found through the lease rows, never by reading the job table. */
export async function stuckCount(db: PgDb): Promise<number> {
  return countOf(
    await db.read(
      `SELECT count(*) AS n FROM jobs.tb_job_run
       WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease)) AND status = 'running' AND lease_expires_at < now()`,
    ),
  );
}

const LeasedAttemptRow = z.object({ id: z.number(), attempt_id: z.number(), lease_expires_at: z.string().nullable() });

export async function leasedAttempts(db: PgDb, workerId: string): Promise<LeasedAttempt[]> {
  const rows = await db.engineQuery(
    `SELECT id, attempt_id, lease_expires_at FROM jobs.tb_job_run
     WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease WHERE worker_id = $1)) AND status = 'running' AND lease_owner = $1
       AND attempt_id IS NOT NULL
     ORDER BY id`,
    [workerId],
  );
  return rows.map((row) => {
    const { id, attempt_id, lease_expires_at } = LeasedAttemptRow.parse(row);
    return { jobId: id, attemptId: attempt_id, leaseExpiresAt: lease_expires_at };
  });
}

export async function cancelRequested(db: PgDb, workerId: string): Promise<number[]> {
  return idsOf(
    await db.engineQuery(
      `SELECT id FROM jobs.tb_job_run
       WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease WHERE worker_id = $1)) AND status = 'running' AND lease_owner = $1
         AND cancel_requested
       ORDER BY id`,
      [workerId],
    ),
  );
}

const FailureGroupRow = z.object({
  service_name: z.string(),
  error_class: z.string(),
  fingerprint: z.string(),
  failures: z.coerce.number(),
  dead_lettered: z.coerce.number(),
  first_seen: z.string(),
  last_seen: z.string(),
  sample_error: z.string().nullable(),
  total: z.coerce.number(),
});

/**
 * Summed from the failure rollups (migration 0031), a row per minute, kind of failure and writing
 * backend, and their whole hours (0049): the minutes up to the window's first whole hour, the summed hours
 * up to the mark, the minutes after it (rollupHours.ts), each a range of its table's key, in one snapshot.
 * The groups are counted from the rows' counts and times alone; only the groups shown fetch a sample,
 * their latest failure's (in their latest minute: a seek of the primary key, then its stripes), where
 * sorting every row's sample within its group cost most of the read in a burst. An hour summed before a
 * prune took that minute (by a version that did not sum it again) gives an empty sample rather than
 * failing the whole read.
 */
export async function recentFailures(db: PgDb, since: Date, service: string | null, limit: number): Promise<{ groups: FailureGroup[]; total: number }> {
  const sinceMinute = minuteFloor(since.getTime());
  const rows = await db.read(
    `WITH w AS (
       SELECT $1::timestamptz AS since, $4::timestamptz AS hours_from,
         greatest($4::timestamptz, coalesce((SELECT through FROM jobs.tb_rollup_hour_mark), $4::timestamptz)) AS hours_to
     ),
     r AS (
       SELECT f.service_name, f.error_class, f.fingerprint, f.failures, f.dead_lettered, f.first_at, f.last_at, f.minute AS last_minute
       FROM jobs.tb_failure_rollup f, w WHERE f.minute >= w.since AND f.minute < w.hours_from AND ($2::text IS NULL OR f.service_name = $2)
       UNION ALL
       SELECT h.service_name, h.error_class, h.fingerprint, h.failures, h.dead_lettered, h.first_at, h.last_at, h.last_minute
       FROM jobs.tb_failure_rollup_hour h, w WHERE h.hour >= w.hours_from AND h.hour < w.hours_to AND ($2::text IS NULL OR h.service_name = $2)
       UNION ALL
       SELECT f.service_name, f.error_class, f.fingerprint, f.failures, f.dead_lettered, f.first_at, f.last_at, f.minute
       FROM jobs.tb_failure_rollup f, w WHERE f.minute >= w.hours_to AND ($2::text IS NULL OR f.service_name = $2)
     ),
     shown AS (
       SELECT service_name, error_class, fingerprint, sum(failures) AS failures, sum(dead_lettered) AS dead_lettered,
         min(first_at) AS first_at, max(last_at) AS last_at, max(last_minute) AS last_minute, sum(sum(failures)) OVER () AS total
       FROM r
       GROUP BY service_name, error_class, fingerprint
       ORDER BY sum(failures) DESC, max(last_at) DESC, service_name, error_class, fingerprint
       LIMIT $3
     )
     SELECT s.service_name, s.error_class, s.fingerprint, s.failures, s.dead_lettered,
       to_char(s.first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS first_seen,
       to_char(s.last_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_seen,
       (SELECT f.sample_error FROM jobs.tb_failure_rollup f
        WHERE f.minute = s.last_minute AND f.service_name = s.service_name AND f.error_class = s.error_class AND f.fingerprint = s.fingerprint
        ORDER BY f.last_at DESC LIMIT 1) AS sample_error,
       s.total
     FROM shown s
     ORDER BY s.failures DESC, s.last_at DESC, s.service_name, s.error_class, s.fingerprint`,
    [new Date(sinceMinute).toISOString(), service, Math.max(1, Math.trunc(limit)), new Date(hourCeil(sinceMinute)).toISOString()],
  );
  const parsed = rows.map((row) => FailureGroupRow.parse(row));
  // The row schema carries the window's total beside each group; the groups are the rest of it.
  return { groups: parsed.map((row) => FailureGroupSchema.parse(row)), total: parsed[0]?.total ?? 0 };
}
