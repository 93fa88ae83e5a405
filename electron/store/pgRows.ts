import { z } from 'zod';
import {
  Attempt,
  AuditEntry,
  BreakerRecord,
  ControlState,
  ExecutionType,
  Job,
  JobStatus,
  PausedQueue,
  WorkerInfo,
} from '../../shared/domain.ts';
import type { ClaimedJob } from './store.ts';
import type { Row } from './pgDb.ts';

/** The columns of jobs.tb_job_run that make a domain Job (attempt_id is the store's own). */
export const JOB_COLUMNS = `id, identifier, queue, service_name, execution_type, payload, status, priority, attempts,
  max_attempts, run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at, updated_at,
  error_message, error_fingerprint, resource_usage, security_context, resolved_at, resolution, cancel_requested`;

export const ATTEMPT_COLUMNS = `id, job_id, attempt, worker_id, started_at, finished_at, outcome, error_message,
  error_class, output_tail, resource_usage`;

export const BREAKER_COLUMNS = `service_name, state, mode, window_started_at, window_failures, window_successes,
  prev_failures, prev_successes, opened_at, probes_in_flight, probe_started_at, last_transition_at, last_error,
  mode_set_by, mode_set_at, mode_reason, version`;

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

const ClaimedRow = z.object({
  id: z.number(),
  identifier: z.string(),
  queue: z.string(),
  service_name: z.string(),
  execution_type: ExecutionType,
  payload: z.unknown(),
  priority: z.number(),
  attempts: z.number(),
  max_attempts: z.number(),
  attempt_id: z.number(),
});

/** What the claim function returns: the leased jobs and the one lease they share. */
const ClaimedBatch = z.union([
  z.object({ lease_expires_at: z.string(), jobs: z.array(ClaimedRow) }),
  z.object({ jobs: z.array(ClaimedRow).length(0) }),
]);

/** The claim function's JSON: the leased jobs, in dispatch order. */
export function claimedFromJson(text: string): ClaimedJob[] {
  const batch = ClaimedBatch.parse(JSON.parse(text));
  if (!('lease_expires_at' in batch)) return [];
  const leaseExpiresAt = batch.lease_expires_at;
  return batch.jobs.map((r) => ({
    id: r.id,
    identifier: r.identifier,
    queue: r.queue,
    service_name: r.service_name,
    execution_type: r.execution_type,
    payload: r.payload ?? null,
    priority: r.priority,
    attempt: r.attempts,
    max_attempts: r.max_attempts,
    attempt_id: r.attempt_id,
    lease_expires_at: leaseExpiresAt,
  }));
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
  version: z.number(),
});

export function toControl(row: Row | undefined, paused: Row[]): ControlState {
  if (!row) throw new Error('the control row of jobs.tb_control is missing: run the migrations again');
  const c = ControlRow.parse(row);
  return ControlState.parse({
    emergency_stop: { engaged: c.emergency_stop, by: c.emergency_stop_by, at: c.emergency_stop_at, reason: c.emergency_stop_reason },
    safe_mode: { engaged: c.safe_mode, by: c.safe_mode_by, at: c.safe_mode_at, reason: c.safe_mode_reason },
    paused_queues: paused.map((p) => PausedQueue.parse(p)),
    version: c.version,
  });
}

export function toWorker(row: Row): WorkerInfo {
  return WorkerInfo.parse({ ...row, queues: row.queues ?? null });
}

const CountRow = z.object({ n: z.number() });

export function countOf(rows: Row[]): number {
  return CountRow.parse(rows[0] ?? { n: 0 }).n;
}

const IdRow = z.object({ id: z.number() });

export function idsOf(rows: Row[]): number[] {
  return rows.map((r) => IdRow.parse(r).id);
}

export const QueueCountRow = z.object({ queue: z.string(), status: JobStatus, count: z.number() });
