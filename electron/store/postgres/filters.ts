import type { DlqSelector, JobFilter } from '../../../shared/domain.ts';
import { errorClassesOf } from '../../../shared/errorClass.ts';
import { StoreInputError } from '../errors.ts';

/**
 * WHERE clauses for the job filters and DLQ selectors, written once as SQL with typed, nullable
 * parameters (`$n IS NULL OR ...`, folded away by the per-call plan): user text only ever travels as a
 * parameter, and a substring search is exact (strpos on lower-cased text, so `%`, `_` and quotes mean
 * themselves) once the trigram index has found its candidates.
 */

/**
 * A text search as two conditions: ILIKE with the search as a literal pattern, which the trigram index of
 * error messages (migration 0009) answers, and the exact substring test the search means.
 */
function searchSql(text: string, pattern: string): string {
  return `(${text}::text IS NULL OR (error_message ILIKE ${pattern} ESCAPE '\\' AND strpos(lower(error_message), lower(${text})) > 0))`;
}

/**
 * The same search over jobs.tb_open_dead_letter `d`, whose text is stored lowered (migration 0019): LIKE on
 * it, which its trigram index answers, and the exact substring test.
 */
export function openDeadLetterSearchSql(text: string, pattern: string): string {
  return `d.error_lower LIKE lower(${pattern}) ESCAPE '\\' AND strpos(d.error_lower, lower(${text})) > 0`;
}

/** The search as an ILIKE pattern that matches it anywhere: `%`, `_` and `\` escaped to mean themselves. */
export function likePattern(search: string | undefined): string | null {
  if (search === undefined || search === '') return null;
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * $1..$13 of every job filter, and $14 when the filter names a failure class; appended after the caller's
 * own parameters via `offset`. The class is a clause of its own rather than `$14 IS NULL OR …`: only a
 * bare `IN (subquery)` lets the planner join through the class index, which finds no class in an instant
 * and a common one by reading jobs newest first, where an OR would test every job against the subquery.
 * That walk starts at the newest job with an attempt of the class, one probe of the class index per
 * class: the newest jobs are often a backlog that has never run, and reading through it first cost
 * 20 000 probes at a million jobs.
 */
export function jobFilterSql(offset: number, filter: JobFilter): string {
  const p = (n: number) => `$${offset + n}`;
  return `(${p(1)}::text[] IS NULL OR status = ANY(${p(1)}::text[]))
    AND (${p(2)}::text IS NULL OR queue = ${p(2)})
    AND (${p(3)}::text IS NULL OR service_name = ${p(3)})
    AND (${p(4)}::text[] IS NULL OR execution_type = ANY(${p(4)}::text[]))
    AND (${p(5)}::timestamptz IS NULL OR created_at >= ${p(5)}::timestamptz)
    AND (${p(6)}::timestamptz IS NULL OR created_at < ${p(6)}::timestamptz)
    AND ${searchSql(p(7), p(11))}
    AND (NOT ${p(8)}::boolean OR (status = 'failed' AND resolved_at IS NULL))
    AND (NOT ${p(9)}::boolean OR (status = 'running' AND lease_expires_at < now()))
    AND (NOT ${p(10)}::boolean OR (status = 'pending' AND run_at > now()))
    AND (NOT ${p(12)}::boolean OR id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease)))
    AND (${p(13)}::timestamptz IS NULL OR started_at <= ${p(13)}::timestamptz)${
    filter.error_class === undefined ? '' : `
    AND id IN ${attemptsOfClassSql(p(14))}
    AND id <= (SELECT max(newest.job_id) FROM unnest(${p(14)}::text[]) AS c(error_class), LATERAL (
      SELECT a.job_id FROM jobs.tb_job_attempt a WHERE a.error_class = c.error_class ORDER BY a.job_id DESC LIMIT 1) AS newest)`}`;
}

function timestampOrNull(value: string | undefined, what: string): string | null {
  if (value === undefined) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new StoreInputError(`${what} "${value.slice(0, 60)}" is not a timestamp: use ISO-8601, e.g. 2026-01-01T00:00:00Z`);
  return new Date(t).toISOString();
}

export function jobFilterParams(filter: JobFilter): unknown[] {
  return [
    filter.status ?? null,
    filter.queue ?? null,
    filter.service ?? null,
    filter.execution_type ?? null,
    timestampOrNull(filter.created_after, 'created_after'),
    timestampOrNull(filter.created_before, 'created_before'),
    filter.search || null,
    filter.unresolved === true,
    filter.stuck === true,
    filter.scheduled === true,
    likePattern(filter.search),
    onlyRunning(filter),
    timestampOrNull(filter.started_before, 'started_before'),
    ...(filter.error_class === undefined ? [] : [errorClassesOf(filter.error_class)]),
  ];
}

/** Running jobs are the few the lease rows name: a filter that wants only those reads them there. */
function onlyRunning(filter: JobFilter): boolean {
  return filter.stuck === true || (filter.status !== undefined && filter.status.length > 0 && filter.status.every((s) => s === 'running'));
}

/** A job that is an open dead letter, as jobs.tb_open_dead_letter holds them (its triggers write the same condition). */
export const OPEN_DEAD_LETTER = `status = 'failed' AND resolved_at IS NULL AND error_fingerprint IS NOT NULL`;

/**
 * The open dead letters a selector matches: $1..$6 of dlqParams after `offset`. A failure class ($6), when
 * the selector names one, picks the groups that failed of it (finalClassFingerprintsSql), whose dead letters
 * are found in jobs.tb_open_dead_letter and then read by key: a condition on the job table alone was planned
 * as a walk of every job that ever failed, resolved ones too (130 000 at a million jobs, a quarter to half a
 * second). Without a class, $6 (null) is only typed, so every statement takes the same six parameters.
 */
export function dlqWhereSql(offset: number, selector: DlqSelector): string {
  const p = (n: number) => `$${offset + n}`;
  return `${OPEN_DEAD_LETTER}
    AND (${p(1)}::bigint[] IS NULL OR id = ANY(${p(1)}::bigint[]))
    AND (${p(2)}::text IS NULL OR error_fingerprint = ${p(2)})
    AND ${searchSql(p(3), p(5))}
    AND (${p(4)}::text IS NULL OR service_name = ${p(4)})
    AND ${
      selector.error_class === undefined
        ? `${p(6)}::text[] IS NULL`
        : `id = ANY(ARRAY(SELECT o.job_id FROM jobs.tb_open_dead_letter o WHERE o.error_fingerprint = ANY(ARRAY(${finalClassFingerprintsSql(p(6))}))))`
    }`;
}

/** The ids of the jobs with an attempt that failed of one of the classes `param` holds. */
function attemptsOfClassSql(param: string): string {
  return `(SELECT job_id FROM jobs.tb_job_attempt WHERE error_class = ANY(${param}::text[]))`;
}

/**
 * The fingerprints of the open dead letters that failed for good of one of the classes `param` holds: the
 * class of their last attempt, which `dlq groups` names, not an earlier attempt's (a timeout retried that
 * then failed of connection is no timeout, nor is one that timed out before a retry from the dead letters).
 * A fingerprint is made with the class its failure was of (engine/fingerprint.ts; an operator's failures and
 * lost leases have one each of their own), so one dead letter of a group tells its class, as the group's
 * newest does in `dlq groups`. Each fingerprint is found by one seek of the open dead letters' index
 * (migration 0025) past the one before, and its class by two more: about fifty seeks at a million jobs,
 * where reading each dead letter's last attempt read thousands of rows for a common class.
 */
export function finalClassFingerprintsSql(param: string): string {
  return `WITH RECURSIVE f(fingerprint) AS (
      (SELECT error_fingerprint FROM jobs.tb_open_dead_letter ORDER BY error_fingerprint LIMIT 1)
      UNION ALL
      SELECT (SELECT n.error_fingerprint FROM jobs.tb_open_dead_letter n WHERE n.error_fingerprint > f.fingerprint ORDER BY n.error_fingerprint LIMIT 1)
      FROM f WHERE f.fingerprint IS NOT NULL)
    SELECT f.fingerprint FROM f WHERE f.fingerprint IS NOT NULL
      AND (SELECT l.error_class FROM jobs.tb_job_attempt l
           WHERE l.job_id = (SELECT s.job_id FROM jobs.tb_open_dead_letter s WHERE s.error_fingerprint = f.fingerprint ORDER BY s.failed_at DESC LIMIT 1)
           ORDER BY l.id DESC LIMIT 1) = ANY(${param}::text[])`;
}

export function dlqParams(selector: DlqSelector): unknown[] {
  return [
    selector.job_ids ? selector.job_ids.filter((id) => Number.isSafeInteger(id)) : null,
    selector.fingerprint ?? null,
    selector.search || null,
    selector.service ?? null,
    likePattern(selector.search),
    selector.error_class === undefined ? null : errorClassesOf(selector.error_class),
  ];
}

