import { z } from 'zod';
import {
  Attempt,
  AuditEntry,
  BreakerRecord,
  ControlState,
  EXECUTION_TYPES,
  isPlainObject,
  Job,
  JobStatus,
  PausedQueue,
  WorkerInfo,
} from '../../../shared/domain.ts';
import type { ClaimedJob } from '../store.ts';
import type { Row } from './db.ts';
import { drainOf } from '../drain.ts';
import { cannotRunRecord } from '../cannotRunRecord.ts';
import { poolRecord } from '../poolRecord.ts';

/** The columns of jobs.tb_job_run that make a domain Job (attempt_id is the store's own). */
export const JOB_COLUMNS = `id, identifier, queue, service_name, execution_type, payload, status, priority, attempts,
  max_attempts, run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at, updated_at,
  error_message, error_fingerprint, resource_usage, security_context, resolved_at, resolution, cancel_requested`;

export const ATTEMPT_COLUMNS = `id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message,
  error_class, output_tail, resource_usage`;

export const BREAKER_COLUMNS = `service_name, state, mode, window_started_at, window_failures, window_successes,
  prev_failures, prev_successes, opened_at, probes_in_flight, probe_started_at, last_transition_at, last_error,
  mode_set_by, mode_set_at, mode_reason, version, left_closed_at`;

export function toJob(row: Row): Job {
  return Job.parse(row);
}

export function toAttempt(row: Row): Attempt {
  return Attempt.parse(row);
}

export function toBreaker(row: Row): BreakerRecord {
  return BreakerRecord.parse(row);
}

export function toAudit(row: Row): AuditEntry {
  return AuditEntry.parse(row);
}

/** What one claim leased: its jobs in dispatch order, and its lease row (null when it leased nothing). */
export interface Claim {
  leaseId: number | null;
  jobs: ClaimedJob[];
}

/**
 * The claim function's JSON: the leased jobs, each an array of its fields at their places
 * (migrations/postgres/0007_lease_rows.sql lists them), the one lease they share and its row, and the jobs'
 * interruptions above zero by id (0044: beside the arrays, which a worker of the version before reads by
 * their exact length; absent from a store not yet migrated, read as none). Read by
 * hand rather than by a zod schema: this runs for every job the engine claims, and the schema's parse
 * made one more copy of each and cost about a tenth of the engine's Node time on the benchmark. A result
 * of any other shape is still refused, naming what is wrong.
 */
export function claimFromJson(text: string): Claim {
  const batch: unknown = JSON.parse(text);
  if (!isPlainObject(batch) || !isList(batch.jobs)) throw claimRefused('it has no jobs array');
  const { jobs, lease_expires_at: leaseExpiresAt, lease_id: leaseId, interruptions } = batch;
  if (jobs.length === 0) return { leaseId: null, jobs: [] };
  if (typeof leaseExpiresAt !== 'string') throw claimRefused('lease_expires_at is not a string');
  if (typeof leaseId !== 'number') throw claimRefused('lease_id is not a number');
  if (interruptions !== undefined && interruptions !== null && !isPlainObject(interruptions)) throw claimRefused('interruptions is not an object');
  const claimed = jobs.map((row, place) => claimedJob(row, place, leaseExpiresAt));
  if (interruptions) {
    for (const job of claimed) {
      const n = interruptions[job.id];
      if (n === undefined) continue;
      if (typeof n !== 'number') throw claimRefused(`job ${job.id}: its interruptions are not a number`);
      job.interruptions = n;
    }
  }
  return { leaseId, jobs: claimed };
}

const CLAIMED_FIELDS = ['id', 'identifier', 'queue', 'service_name', 'execution_type', 'payload', 'priority', 'attempts', 'max_attempts', 'attempt_id'] as const;

function claimedJob(row: unknown, place: number, leaseExpiresAt: string): ClaimedJob {
  if (!isList(row) || row.length !== CLAIMED_FIELDS.length) throw claimRefused(`job ${place} is not an array of ${CLAIMED_FIELDS.length} fields`);
  const kind = EXECUTION_TYPES.find((t) => t === row[4]);
  if (kind === undefined) throw claimRefused(`job ${place}: unknown execution_type ${JSON.stringify(row[4])}`);
  return {
    id: numberAt(row, 0, place),
    identifier: stringAt(row, 1, place),
    queue: stringAt(row, 2, place),
    service_name: stringAt(row, 3, place),
    execution_type: kind,
    payload: row[5] ?? null,
    priority: numberAt(row, 6, place),
    attempt: numberAt(row, 7, place),
    max_attempts: numberAt(row, 8, place),
    attempt_id: numberAt(row, 9, place),
    lease_expires_at: leaseExpiresAt,
    interruptions: 0,
  };
}

function numberAt(row: unknown[], at: number, place: number): number {
  const value = row[at];
  if (typeof value !== 'number') throw claimRefused(`job ${place}: ${CLAIMED_FIELDS[at]} is not a number`);
  return value;
}

function stringAt(row: unknown[], at: number, place: number): string {
  const value = row[at];
  if (typeof value !== 'string') throw claimRefused(`job ${place}: ${CLAIMED_FIELDS[at]} is not a string`);
  return value;
}

function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function claimRefused(problem: string): Error {
  return new Error(`the claim function returned a result opsdeck cannot read (${problem}): run the migrations again`);
}

const ControlRow = z.object({
  emergency_stop: z.boolean(),
  emergency_stop_by: z.string().nullable(),
  emergency_stop_at: z.string().nullable(),
  emergency_stop_reason: z.string().nullable(),
  safe_mode: z.boolean(),
  safe_mode_by: z.string().nullable(),
  safe_mode_at: z.string().nullable(),
  safe_mode_reason: z.string().nullable(),
  drain_by: z.string().nullable(),
  drain_at: z.string().nullable(),
  drain_until: z.string().nullable(),
  version: z.number(),
});

export function toControl(row: Row | undefined, paused: Row[]): ControlState {
  if (!row) throw new Error('the control row of jobs.tb_control is missing: run the migrations again');
  const c = ControlRow.parse(row);
  return ControlState.parse({
    emergency_stop: { engaged: c.emergency_stop, by: c.emergency_stop_by, at: c.emergency_stop_at, reason: c.emergency_stop_reason },
    safe_mode: { engaged: c.safe_mode, by: c.safe_mode_by, at: c.safe_mode_at, reason: c.safe_mode_reason },
    ...drainOf(c.drain_by, c.drain_at, c.drain_until),
    paused_queues: paused.map((p) => PausedQueue.parse(p)),
    version: c.version,
  });
}

/** The columns of jobs.tb_worker that make a WorkerInfo, but `lost`, which each read derives. */
export const WORKER_COLUMNS = `id, name, host, pid, version, started_at, concurrency, queues, services, in_flight, state, last_heartbeat_at,
  rss_bytes, heap_used_bytes, cpu_percent, registry_digest, registry_path, registry_loaded_at, cannot_run, pool`;

export function toWorker(row: Row): WorkerInfo {
  const { rss_bytes, heap_used_bytes, registry_digest, registry_path, registry_loaded_at, ...rest } = row;
  const memory = rss_bytes === null || heap_used_bytes === null ? null : { rss_bytes, heap_used_bytes };
  const registry = registry_digest === null || registry_loaded_at === null ? null : { digest: registry_digest, path: registry_path ?? null, loaded_at: registry_loaded_at };
  return WorkerInfo.parse({ ...rest, queues: row.queues ?? null, services: row.services ?? null, cannot_run: cannotRunRecord(row.cannot_run ?? null), pool: poolRecord(row.pool ?? null), memory, registry });
}

const CountRow = z.object({ n: z.number() });

export function countOf(rows: Row[]): number {
  return CountRow.parse(rows[0] ?? { n: 0 }).n;
}

/** The id column of each row. By hand, not by schema: a settle answers one row for every job it took. */
export function idsOf(rows: Row[]): number[] {
  return rows.map(({ id }) => {
    if (typeof id !== 'number') throw new Error(`expected a row with a numeric id, got ${JSON.stringify(id) ?? 'none'}`);
    return id;
  });
}

export const QueueCountRow = z.object({ queue: z.string(), status: JobStatus, count: z.number() });
