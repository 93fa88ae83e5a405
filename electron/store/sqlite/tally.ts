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

/** What one transaction did to one kind of job (queue, service, type). */
interface KindTally {
  queue: string;
  service_name: string;
  /** Empty when only counts were moved (the kind is not needed for them). */
  execution_type: string;
  counts: Map<CountState, number>;
  completed: number;
  failed: number;
  retried: number;
  cancelled: number;
  duration_ms: number;
  /** Completions per duration bucket. */
  latency: Map<number, number>;
}

/**
 * One transaction's tally. Everything it counts happened at the transaction's one timestamp, so the
 * minute is worked out once, not per job; each kind of job is looked up once per call.
 */
export class Tally {
  readonly #kinds = new Map<string, KindTally>();
  readonly #minute: number;
  #lastJob: JobPlace | null = null;
  #lastKind: KindTally | null = null;

  /** `atMs`: the transaction's timestamp, in milliseconds since the epoch. */
  constructor(atMs: number) {
    this.#minute = Math.floor(atMs / 60_000) * 60;
  }

  count(job: JobPlace, state: CountState, n: number): void {
    const counts = this.#kindOf(job, '').counts;
    counts.set(state, (counts.get(state) ?? 0) + n);
  }

  move(job: JobPlace, from: CountState, to: CountState, n = 1): void {
    const counts = this.#kindOf(job, '').counts;
    counts.set(from, (counts.get(from) ?? 0) - n);
    counts.set(to, (counts.get(to) ?? 0) + n);
  }

  /** An attempt ended; a completed one with its duration, when known. */
  finished(job: JobKind, finish: Finish, durationMs: number | null = null): void {
    const kind = this.#kindOf(job, job.execution_type);
    kind[finish] += 1;
    if (finish !== 'completed' || durationMs === null) return;
    kind.duration_ms += durationMs;
    const bucket = latencyBucket(durationMs);
    kind.latency.set(bucket, (kind.latency.get(bucket) ?? 0) + 1);
  }

  #kindOf(job: JobPlace, type: string): KindTally {
    // A settle asks for the same job twice in a row (its count, then its finish): no second lookup.
    if (job === this.#lastJob && this.#lastKind && (type === '' || this.#lastKind.execution_type === type)) return this.#lastKind;
    const key = `${job.queue}\u0000${job.service_name}\u0000${type}`;
    let kind = this.#kinds.get(key);
    if (!kind) {
      kind = { queue: job.queue, service_name: job.service_name, execution_type: type, counts: new Map(), completed: 0, failed: 0, retried: 0, cancelled: 0, duration_ms: 0, latency: new Map() };
      this.#kinds.set(key, kind);
    }
    this.#lastJob = job;
    this.#lastKind = kind;
    return kind;
  }

  write(s: TallyStatements): void {
    const minute = this.#minute;
    for (const k of this.#kinds.values()) {
      for (const [state, n] of k.counts) if (n !== 0) s.count.run(k.queue, k.service_name, state, n);
      if (k.completed + k.failed + k.retried + k.cancelled > 0) {
        s.rollup.run(minute, k.queue, k.service_name, k.execution_type, k.completed, k.failed, k.retried, k.cancelled, k.duration_ms);
      }
      for (const [bucket, n] of k.latency) s.latency.run(minute, k.execution_type, k.service_name, bucket, n);
    }
  }
}
