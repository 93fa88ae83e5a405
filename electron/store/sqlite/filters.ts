import { JOB_STATUSES } from '../../../shared/domain.ts';
import type { DlqSelector, JobFilter, JobStatus } from '../../../shared/domain.ts';
import { errorClassesOf } from '../../../shared/errorClass.ts';
import { StoreInputError } from '../errors.ts';
import { containsFolded } from './textFold.ts';

/**
 * WHERE clauses for the job filters and DLQ selectors. `key` names the clause's shape so its prepared
 * statement is cached once per shape; `params` are bound positionally, in order. A text search of three
 * characters or more is `match`, a phrase for the trigram index of error messages (migration 0006) that
 * finds the candidates; the clause then checks each with instr() on lowered text, so the answer is a plain
 * substring match in which `%`, `_`, `\` and quotes mean themselves. A shorter search is that check alone.
 */
export interface Where {
  key: string;
  sql: string;
  params: Array<string | number>;
  match: string | null;
  /** The creation-time range a job filter names (ISO text, either end open), null when it names none. */
  created: CreatedRange | null;
  /**
   * The filter once per state it can match, each arm naming one state (`sql` with that state alone, the
   * same params), or null when it names no state. A listing of two states or more reads each arm through
   * its state's index and merges them: an OR of states made SQLite gather every job of all of them by
   * their partial indexes and sort them, seconds at a million jobs.
   */
  arms: StateArm[] | null;
}

export interface StateArm {
  /** A job status, or `dead_letter` for the open dead letters (failed, nobody resolved). */
  state: string;
  sql: string;
}

export interface CreatedRange {
  after: string | null;
  before: string | null;
}

/** The trigram index cannot look up fewer than three characters. */
const SHORTEST_MATCH = 3;

/** An FTS5 phrase: the text as one quoted string, its quotes doubled, so no character is an operator. */
function phraseOf(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** The clause as a plain condition on tb_job_run, the text match as an id subquery (for counts and updates). */
export function plainWhere(where: Where): { sql: string; params: Array<string | number> } {
  if (where.match === null) return { sql: where.sql, params: where.params };
  return {
    sql: `id IN (SELECT rowid FROM tb_job_error_text WHERE tb_job_error_text MATCH ?) AND ${where.sql}`,
    params: [where.match, ...where.params],
  };
}

function searchTerm(search: string | undefined, add: (key: string, sql: string, value: string) => void): string | null {
  if (search === undefined || search === '') return null;
  const contains = containsFolded('error_message', search);
  add(contains.key, contains.sql, search);
  return [...search].length >= SHORTEST_MATCH ? phraseOf(search) : null;
}

/** A job with an attempt that failed of one of the classes (a JSON array): the attempts' class index finds them. */
const ATTEMPT_OF_CLASS = `id IN (SELECT job_id FROM tb_job_attempt WHERE error_class IN (SELECT value FROM json_each(?)))`;

/**
 * A dead letter that failed for good of one of the classes (a JSON array): of its last attempt, which
 * `dlq groups` names, not an earlier one's (a timeout retried that then failed of connection is no timeout).
 * A fingerprint is made with the class (engine/fingerprint.ts; an operator's failures and lost leases have
 * one each of their own), so the groups of the class are picked, each told by its newest dead letter as
 * `dlq groups` tells it: each fingerprint found by one seek of the dead letters' index past the one before,
 * its class by two more, and its dead letters' ids through the same index. As ids, so a page reads only
 * those: on the fingerprints alone the planner walked every failed job newest first (78 000 at a million
 * jobs) for a class with few dead letters.
 */
const FAILED_FOR_GOOD_OF_CLASS = `id IN (
  SELECT r.id FROM tb_job_run r INDEXED BY idx_tb_job_run_dlq WHERE r.status = 'failed' AND r.resolved_at IS NULL AND r.error_fingerprint IN (
    WITH RECURSIVE f(fingerprint) AS (
      SELECT min(m.error_fingerprint) FROM tb_job_run m INDEXED BY idx_tb_job_run_dlq WHERE m.status = 'failed' AND m.resolved_at IS NULL
      UNION ALL
      SELECT (SELECT min(n.error_fingerprint) FROM tb_job_run n INDEXED BY idx_tb_job_run_dlq
              WHERE n.status = 'failed' AND n.resolved_at IS NULL AND n.error_fingerprint > f.fingerprint)
      FROM f WHERE f.fingerprint IS NOT NULL)
    SELECT fingerprint FROM f WHERE fingerprint IS NOT NULL
      AND (SELECT l.error_class FROM tb_job_attempt l
           WHERE l.job_id = (SELECT s.id FROM tb_job_run s INDEXED BY idx_tb_job_run_dlq_failed_at
                             WHERE s.status = 'failed' AND s.resolved_at IS NULL AND s.error_fingerprint = f.fingerprint ORDER BY s.completed_at DESC LIMIT 1)
           ORDER BY l.id DESC LIMIT 1) IN (SELECT value FROM json_each(?))))`;

/** Timestamps a caller passes are compared as the canonical ISO text the tables hold. */
export function isoTime(value: string, what: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new StoreInputError(`${what} "${value.slice(0, 60)}" is not a timestamp: use ISO-8601, e.g. 2026-01-01T00:00:00Z`);
  return new Date(ms).toISOString();
}

export function jobWhere(filter: JobFilter, now: string): Where {
  const parts: string[] = [];
  const keys: string[] = [];
  const params: Array<string | number> = [];
  const add = (key: string, sql: string, ...values: Array<string | number>) => {
    keys.push(key);
    parts.push(sql);
    params.push(...values);
  };
  if (filter.unresolved) add('u', `status = 'failed' AND resolved_at IS NULL`);
  if (filter.stuck) add('k', `status = 'running' AND lease_expires_at < ?`, now);
  if (filter.scheduled) add('l', `status = 'pending' AND run_at > ?`, now);
  const states = filter.status ? JOB_STATUSES.filter((status) => filter.status?.includes(status)) : null;
  const statusAt = parts.length;
  if (states) {
    const { key, sql } = statusTerm(states);
    add(key, sql);
  }
  if (filter.queue !== undefined) add('q', `queue = ?`, filter.queue);
  if (filter.service !== undefined) add('v', `service_name = ?`, filter.service);
  if (filter.execution_type) add('t', `execution_type IN (SELECT value FROM json_each(?))`, JSON.stringify(filter.execution_type));
  const after = filter.created_after === undefined ? null : isoTime(filter.created_after, 'created_after');
  const before = filter.created_before === undefined ? null : isoTime(filter.created_before, 'created_before');
  if (after !== null) add('a', `created_at >= ?`, after);
  if (before !== null) add('b', `created_at < ?`, before);
  if (filter.started_before !== undefined) add('r', `started_at <= ?`, isoTime(filter.started_before, 'started_before'));
  if (filter.error_class !== undefined) add('c', ATTEMPT_OF_CLASS, JSON.stringify(errorClassesOf(filter.error_class)));
  const match = searchTerm(filter.search, add);
  const implied = filter.unresolved ? 'dead_letter' : filter.stuck ? 'running' : filter.scheduled ? 'pending' : null;
  const armOf = (state: string, term: string) => ({ state, sql: parts.map((part, i) => (i === statusAt ? term : part)).join(' AND ') });
  return {
    key: `job:${keys.join('')}${match === null ? '' : 'm'}`,
    sql: parts.length ? parts.join(' AND ') : '1 = 1',
    params,
    match,
    created: after === null && before === null ? null : { after, before },
    arms:
      implied !== null
        ? [{ state: implied, sql: parts.join(' AND ') }]
        : states === null || states.length === 0
          ? null
          : states.map((status) => armOf(status, `status = '${status}'`)),
  };
}

/**
 * A list of states as one literal comparison each rather than `IN (?)`: SQLite reads a state's partial
 * index (migration 0003) only for a condition it can see is that index's own, never through a bound
 * value. The literals come from the fixed list of states, never from the caller's text.
 */
function statusTerm(known: readonly JobStatus[]): { key: string; sql: string } {
  if (known.length === 0) return { key: 's()', sql: '0 = 1' };
  return {
    key: `s(${known.map((status) => JOB_STATUSES.indexOf(status)).join(',')})`,
    sql: `(${known.map((status) => `status = '${status}'`).join(' OR ')})`,
  };
}

export function dlqWhere(selector: DlqSelector): Where {
  const parts = [`status = 'failed' AND resolved_at IS NULL`];
  const keys: string[] = [];
  const params: Array<string | number> = [];
  const add = (key: string, sql: string, value: string) => {
    keys.push(key);
    parts.push(sql);
    params.push(value);
  };
  if (selector.job_ids !== undefined) add('i', `id IN (SELECT value FROM json_each(?))`, JSON.stringify(selector.job_ids));
  if (selector.fingerprint !== undefined) add('f', `error_fingerprint = ?`, selector.fingerprint);
  if (selector.service !== undefined) add('v', `service_name = ?`, selector.service);
  if (selector.error_class !== undefined) add('c', FAILED_FOR_GOOD_OF_CLASS, JSON.stringify(errorClassesOf(selector.error_class)));
  const match = searchTerm(selector.search, add);
  return { key: `dlq:${keys.join('')}${match === null ? '' : 'm'}`, sql: parts.join(' AND '), params, match, created: null, arms: null };
}

export function auditWhere(filter: { action?: string; search?: string }): Where {
  const parts: string[] = [];
  const keys: string[] = [];
  const params: string[] = [];
  if (filter.action !== undefined && filter.action !== '') {
    keys.push('a');
    parts.push('action = ?');
    params.push(filter.action);
  }
  if (filter.search !== undefined && filter.search !== '') {
    const contains = containsFolded(`actor || ' ' || action || ' ' || coalesce(target, '') || ' ' || coalesce(details, '')`, filter.search);
    keys.push(contains.key);
    parts.push(contains.sql);
    params.push(filter.search);
  }
  return { key: `audit:${keys.join('')}`, sql: parts.length ? parts.join(' AND ') : '1 = 1', params, match: null, created: null, arms: null };
}
