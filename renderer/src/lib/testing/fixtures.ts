import type { OverviewStats } from '../../../../shared/contract.ts';
import type { ControlState, Job } from '../../../../shared/domain.ts';

/** Values the renderer's unit tests build on: valid by the contract, so they pass the clients' parsing. */
export const AT = '2026-11-22T08:00:00.000Z';

const released = { engaged: false, by: null, at: null, reason: null };

export function controlState(overrides: Partial<ControlState> = {}): ControlState {
  return { emergency_stop: released, safe_mode: released, paused_queues: [], version: 1, ...overrides };
}

export function stopped(version: number, by = 'ops@laptop', reason: string | null = 'db failover'): ControlState {
  return controlState({ emergency_stop: { engaged: true, by, at: AT, reason }, version });
}

export function overviewStats(overrides: Partial<OverviewStats> = {}): OverviewStats {
  return {
    counts: { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, waiting: 0, blocked: 0 },
    queues: [],
    completed_last_hour: 0,
    failed_last_hour: 0,
    dead_letters: 0,
    failure_rate: null,
    oldest_pending_age_s: null,
    queue_ages_read: true,
    scheduled: 0,
    scheduled_capped: false,
    throughput_per_min: 0,
    stuck: 0,
    control: controlState(),
    at: AT,
    ...overrides,
  };
}

export function queueStats(overrides: Partial<OverviewStats['queues'][number]> = {}): OverviewStats['queues'][number] {
  return {
    queue: 'default',
    pending: 0,
    running: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    waiting: 0,
    blocked: 0,
    paused: false,
    oldest_due_age_s: null,
    scheduled: 0,
    dead_letters: 0,
    ...overrides,
  };
}

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 1,
    identifier: 'job-1',
    queue: 'default',
    service_name: 'svc',
    execution_type: 'noop',
    payload: {},
    status: 'pending',
    priority: 0,
    attempts: 0,
    max_attempts: 3,
    run_at: AT,
    lease_owner: null,
    lease_expires_at: null,
    created_at: AT,
    started_at: null,
    completed_at: null,
    updated_at: AT,
    error_message: null,
    error_fingerprint: null,
    resource_usage: null,
    security_context: null,
    resolved_at: null,
    resolution: null,
    cancel_requested: false,
    ...overrides,
  };
}
