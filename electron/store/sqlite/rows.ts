import {
  AttemptOutcome,
  BreakerMode,
  BreakerState,
  ExecutionType,
  JobStatus,
  JsonObject,
  ResourceUsage,
  WorkerState,
} from '../../../shared/domain.ts';
import type { Attempt, AuditEntry, BreakerRecord, ControlState, Job, WorkerInfo } from '../../../shared/domain.ts';
import { drainOf } from '../drain.ts';
import { cannotRunFromText } from '../cannotRunRecord.ts';
import { poolFromText } from '../poolRecord.ts';

/** Rows as SQLite hands them back: TEXT timestamps, JSON as TEXT, booleans as 0/1. */
export interface JobRow {
  id: number;
  identifier: string;
  queue: string;
  service_name: string;
  execution_type: string;
  payload: string;
  status: string;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  error_message: string | null;
  error_fingerprint: string | null;
  resource_usage: string | null;
  security_context: string | null;
  resolved_at: string | null;
  resolution: string | null;
  cancel_requested: number;
}

export const JOB_COLUMNS = `id, identifier, queue, service_name, execution_type, payload, status, priority, attempts,
  max_attempts, run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at, updated_at, error_message,
  error_fingerprint, resource_usage, security_context, resolved_at, resolution, cancel_requested`;

export interface AttemptRow {
  id: number;
  job_id: number;
  attempt: number;
  worker_id: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  error_message: string | null;
  error_class: string | null;
  output_tail: string | null;
  resource_usage: string | null;
}

export interface ControlRow {
  emergency_stop: number;
  emergency_stop_by: string | null;
  emergency_stop_at: string | null;
  emergency_stop_reason: string | null;
  safe_mode: number;
  safe_mode_by: string | null;
  safe_mode_at: string | null;
  safe_mode_reason: string | null;
  drain_by: string | null;
  drain_at: string | null;
  drain_until: string | null;
  version: number;
}

export interface PausedQueueRow {
  queue: string;
  paused_by: string;
  paused_at: string;
  reason: string | null;
}

export interface BreakerRow {
  service_name: string;
  state: string;
  mode: string;
  window_started_at: string;
  window_failures: number;
  window_successes: number;
  prev_failures: number;
  prev_successes: number;
  opened_at: string | null;
  left_closed_at: string | null;
  probes_in_flight: number;
  probe_started_at: string | null;
  last_transition_at: string | null;
  last_error: string | null;
  mode_set_by: string | null;
  mode_set_at: string | null;
  mode_reason: string | null;
  version: number;
}

export interface WorkerRow {
  id: string;
  name: string | null;
  host: string;
  pid: number;
  version: string;
  started_at: string;
  concurrency: number;
  queues: string | null;
  services: string | null;
  in_flight: number;
  state: string;
  last_heartbeat_at: string;
  rss_bytes: number | null;
  heap_used_bytes: number | null;
  cpu_percent: number | null;
  registry_digest: string | null;
  registry_path: string | null;
  registry_loaded_at: string | null;
  cannot_run: string | null;
  pool: string | null;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  job_count: number | null;
  details: string | null;
}

/** What JSON.parse gives back, named as the domain names it. */
export type Json = Job['payload'];

export function parseJson(text: string | null): Json {
  return text === null ? null : JSON.parse(text);
}

/** JSON for a TEXT column; undefined and null both store SQL NULL. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function usage(text: string | null): ResourceUsage | null {
  return text === null ? null : ResourceUsage.parse(JSON.parse(text));
}

function object(text: string | null): JsonObject | null {
  return text === null ? null : JsonObject.parse(JSON.parse(text));
}

export function toJob(row: JobRow): Job {
  return {
    ...row,
    execution_type: ExecutionType.parse(row.execution_type),
    payload: parseJson(row.payload),
    status: JobStatus.parse(row.status),
    resource_usage: usage(row.resource_usage),
    security_context: object(row.security_context),
    cancel_requested: row.cancel_requested === 1,
  };
}

export function toAttempt(row: AttemptRow): Attempt {
  return { ...row, outcome: AttemptOutcome.parse(row.outcome), resource_usage: usage(row.resource_usage) };
}

export function toControl(row: ControlRow, paused: PausedQueueRow[]): ControlState {
  return {
    emergency_stop: {
      engaged: row.emergency_stop === 1,
      by: row.emergency_stop_by,
      at: row.emergency_stop_at,
      reason: row.emergency_stop_reason,
    },
    safe_mode: { engaged: row.safe_mode === 1, by: row.safe_mode_by, at: row.safe_mode_at, reason: row.safe_mode_reason },
    ...drainOf(row.drain_by, row.drain_at, row.drain_until),
    paused_queues: paused.map((p) => ({ queue: p.queue, by: p.paused_by, at: p.paused_at, reason: p.reason })),
    version: row.version,
  };
}

export function toBreaker(row: BreakerRow): BreakerRecord {
  return { ...row, state: BreakerState.parse(row.state), mode: BreakerMode.parse(row.mode) };
}

export function toWorker(row: WorkerRow, lostBefore: string): WorkerInfo {
  const { rss_bytes, heap_used_bytes, registry_digest, registry_path, registry_loaded_at, cannot_run, pool, ...rest } = row;
  const queues = parseJson(row.queues);
  const services = parseJson(row.services);
  return {
    ...rest,
    memory: rss_bytes === null || heap_used_bytes === null ? null : { rss_bytes, heap_used_bytes },
    registry: registry_digest === null || registry_loaded_at === null ? null : { digest: registry_digest, path: registry_path, loaded_at: registry_loaded_at },
    queues: Array.isArray(queues) ? queues.map(String) : null,
    services: Array.isArray(services) ? services.map(String) : null,
    cannot_run: cannotRunFromText(cannot_run),
    pool: poolFromText(pool),
    state: WorkerState.parse(row.state),
    // A worker that stopped cleanly sends no more heartbeats on purpose: it is stopped, not lost.
    lost: row.state !== 'stopped' && row.last_heartbeat_at < lostBefore,
  };
}

export function toAudit(row: AuditRow): AuditEntry {
  return { ...row, details: object(row.details) };
}
