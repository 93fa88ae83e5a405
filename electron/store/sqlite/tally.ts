import { latencyBucket } from '../../../shared/latencyBuckets.ts';
import type { JobStatus } from '../../../shared/domain.ts';
import type { Connection } from './db.ts';

/**
 * What one transaction did to the counts and the per-minute rollups (migration 0005), gathered as it
 * goes and written once at its end: one upsert per queue and state, and one per minute, service and
 * type, however many jobs the transaction moved. Written in the same transaction as the moves, so the
 * counts never disagree with the jobs.
 */

/** A job status, or a failed job nobody resolved yet. */
export type CountState = JobStatus | 'dead_letter';

/** How a job ended an attempt, as the rollups count it. */
export type Finish = 'completed' | 'failed' | 'retried' | 'cancelled';

/** Where a job is counted: its queue and its service. */
export interface JobPlace {
  queue: string;
  service_name: string;
}

export interface JobKind extends JobPlace {
  execution_type: string;
}

interface RollupRow extends JobKind {
  minute: number;
  completed: number;
  failed: number;
  retried: number;
  cancelled: number;
  duration_ms: number;
}

export function prepareTallyStatements(db: Connection) {
  return {
    count: db.prepare<[string, string, string, number]>(
      `INSERT INTO tb_job_count (queue, service_name, state, n) VALUES (?, ?, ?, ?)
       ON CONFLICT (queue, service_name, state) DO UPDATE SET n = n + excluded.n`,
    ),
    rollup: db.prepare<[number, string, string, string, number, number, number, number, number]>(
      `INSERT INTO tb_job_rollup (minute, queue, service_name, execution_type, completed, failed, retried, cancelled, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, queue, service_name, execution_type) DO UPDATE SET
         completed = completed + excluded.completed, failed = failed + excluded.failed, retried = retried + excluded.retried,
         cancelled = cancelled + excluded.cancelled, duration_ms = duration_ms + excluded.duration_ms`,
    ),
    latency: db.prepare<[number, string, string, number, number]>(
      `INSERT INTO tb_job_latency (minute, execution_type, service_name, bucket, n) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (minute, execution_type, service_name, bucket) DO UPDATE SET n = n + excluded.n`,
    ),
  };
}

export type TallyStatements = ReturnType<typeof prepareTallyStatements>;

/** The minute (unix seconds at its start) an ISO timestamp falls in. */
export function minuteOf(iso: string): number {
  return Math.floor(Date.parse(iso) / 60_000) * 60;
}

/** Whole milliseconds from one ISO timestamp to another, never negative. */
export function millisBetween(fromIso: string | null, toIso: string): number | null {
  if (fromIso === null) return null;
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : null;
}

export class Tally {
  readonly #counts = new Map<string, { queue: string; service: string; state: CountState; n: number }>();
  readonly #rollups = new Map<string, RollupRow>();
  readonly #latency = new Map<string, { minute: number; type: string; service: string; bucket: number; n: number }>();

  count(job: JobPlace, state: CountState, n: number): void {
    if (n === 0) return;
    const key = `${state}\u0000${job.queue}\u0000${job.service_name}`;
    const row = this.#counts.get(key);
    if (row) row.n += n;
    else this.#counts.set(key, { queue: job.queue, service: job.service_name, state, n });
  }

  move(job: JobPlace, from: CountState, to: CountState, n = 1): void {
    this.count(job, from, -n);
    this.count(job, to, n);
  }

  /** An attempt ended at `at`; a completed one with its duration, when known. */
  finished(job: JobKind, at: string, finish: Finish, durationMs: number | null = null): void {
    const minute = minuteOf(at);
    const key = `${minute}\u0000${job.queue}\u0000${job.service_name}\u0000${job.execution_type}`;
    let row = this.#rollups.get(key);
    if (!row) {
      row = { minute, queue: job.queue, service_name: job.service_name, execution_type: job.execution_type, completed: 0, failed: 0, retried: 0, cancelled: 0, duration_ms: 0 };
      this.#rollups.set(key, row);
    }
    row[finish] += 1;
    if (finish !== 'completed' || durationMs === null) return;
    row.duration_ms += durationMs;
    const bucket = latencyBucket(durationMs);
    const latencyKey = `${minute}\u0000${job.execution_type}\u0000${job.service_name}\u0000${bucket}`;
    const cell = this.#latency.get(latencyKey);
    if (cell) cell.n += 1;
    else this.#latency.set(latencyKey, { minute, type: job.execution_type, service: job.service_name, bucket, n: 1 });
  }

  write(s: TallyStatements): void {
    for (const { queue, service, state, n } of this.#counts.values()) if (n !== 0) s.count.run(queue, service, state, n);
    for (const r of this.#rollups.values()) {
      s.rollup.run(r.minute, r.queue, r.service_name, r.execution_type, r.completed, r.failed, r.retried, r.cancelled, r.duration_ms);
    }
    for (const l of this.#latency.values()) s.latency.run(l.minute, l.type, l.service, l.bucket, l.n);
  }
}
