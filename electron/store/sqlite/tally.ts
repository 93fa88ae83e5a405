import { latencyBucket } from '../../../shared/latencyBuckets.ts';
import type { JobStatus } from '../../../shared/domain.ts';
import type { Connection } from './db.ts';

/**
 * What one transaction did to the counts and the per-minute rollups (migration 0005), gathered as it
 * goes and written once at its end: one upsert per queue and state, and one per minute, service and
 * type, however many jobs the transaction moved. Written in the same transaction as the moves, so the
 * counts never disagree with the jobs.
 */

/** How a job ended an attempt, as the rollups count it. */
export type Finish = 'completed' | 'failed' | 'retried' | 'cancelled';

/** What the counts and rollups are kept by: a job's queue, service and execution type. */
export interface JobKind {
  queue: string;
  service_name: string;
  execution_type: string;
}

export function prepareTallyStatements(db: Connection) {
  return {
    count: db.prepare<[string, string, string, string, string, number]>(
      `INSERT INTO tb_job_count (queue, service_name, execution_type, state, fingerprint, n) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (queue, service_name, execution_type, state, fingerprint) DO UPDATE SET n = n + excluded.n`,
    ),
    rollup: db.prepare<[number, string, string, string, number, number, number, number, number]>(
      `INSERT INTO tb_job_rollup (minute, queue, service_name, execution_type, completed, failed, retried, cancelled, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, queue, service_name, execution_type) DO UPDATE SET
         completed = completed + excluded.completed, failed = failed + excluded.failed, retried = retried + excluded.retried,
         cancelled = cancelled + excluded.cancelled, duration_ms = duration_ms + excluded.duration_ms`,
    ),
    failure: db.prepare<[number, string, string, string, number, number, string, string, string]>(
      `INSERT INTO tb_failure_rollup (minute, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, sample_error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, service_name, error_class, fingerprint) DO UPDATE SET
         failures = failures + excluded.failures, dead_lettered = dead_lettered + excluded.dead_lettered,
         last_at = excluded.last_at, sample_error = excluded.sample_error`,
    ),
    latency: db.prepare<[number, string, string, number, number]>(
      `INSERT INTO tb_job_latency (minute, execution_type, service_name, bucket, n) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (minute, execution_type, service_name, bucket) DO UPDATE SET n = n + excluded.n`,
    ),
  };
}

export type TallyStatements = ReturnType<typeof prepareTallyStatements>;

/** Failed attempts of one service, class and fingerprint in one transaction. */
interface FailureTally {
  service_name: string;
  error_class: string;
  fingerprint: string;
  failures: number;
  dead_lettered: number;
  sample_error: string;
}

/** The longest error a failure rollup keeps as its sample. */
const SAMPLE_CHARS = 1000;

/** What one transaction did to one kind of job. */
interface KindTally extends JobKind {
  counts: Map<JobStatus, number>;
  /** Open dead letters added (or removed, negative) per error fingerprint. */
  deadLetters: Map<string, number>;
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
  readonly #failures = new Map<string, FailureTally>();
  readonly #minute: number;
  readonly #at: string;
  #lastJob: JobKind | null = null;
  #lastKind: KindTally | null = null;

  /** `atMs`: the transaction's timestamp, in milliseconds since the epoch. */
  constructor(atMs: number) {
    this.#minute = Math.floor(atMs / 60_000) * 60;
    this.#at = new Date(atMs).toISOString();
  }

  count(job: JobKind, state: JobStatus, n: number): void {
    add(this.#kindOf(job).counts, state, n);
  }

  move(job: JobKind, from: JobStatus, to: JobStatus, n = 1): void {
    const counts = this.#kindOf(job).counts;
    add(counts, from, -n);
    add(counts, to, n);
  }

  /** Open dead letters of a fingerprint gained (n > 0) or left (n < 0): failed, resolved, retried, pruned. */
  deadLetter(job: JobKind, fingerprint: string | null, n: number): void {
    add(this.#kindOf(job).deadLetters, fingerprint ?? '', n);
  }

  /** An attempt ended; a completed one with its duration, when known. */
  finished(job: JobKind, finish: Finish, durationMs: number | null = null): void {
    const kind = this.#kindOf(job);
    kind[finish] += 1;
    if (finish !== 'completed' || durationMs === null) return;
    kind.duration_ms += durationMs;
    add(kind.latency, latencyBucket(durationMs), 1);
  }

  /** A failed attempt, its job retrying or (`dead`) in the dead-letter queue. */
  failure(service: string, error: { error_class: string; fingerprint: string | null; message: string }, dead: boolean): void {
    const fingerprint = error.fingerprint ?? '';
    const key = `${service}\u0000${error.error_class}\u0000${fingerprint}`;
    let failure = this.#failures.get(key);
    if (!failure) {
      failure = { service_name: service, error_class: error.error_class, fingerprint, failures: 0, dead_lettered: 0, sample_error: '' };
      this.#failures.set(key, failure);
    }
    failure.failures += 1;
    if (dead) failure.dead_lettered += 1;
    failure.sample_error = error.message.slice(0, SAMPLE_CHARS);
  }

  #kindOf(job: JobKind): KindTally {
    // A settle asks for the same job twice in a row (its count, then its finish): no second lookup.
    if (job === this.#lastJob && this.#lastKind) return this.#lastKind;
    const key = `${job.queue}\u0000${job.service_name}\u0000${job.execution_type}`;
    let kind = this.#kinds.get(key);
    if (!kind) {
      kind = {
        queue: job.queue,
        service_name: job.service_name,
        execution_type: job.execution_type,
        counts: new Map(),
        deadLetters: new Map(),
        completed: 0,
        failed: 0,
        retried: 0,
        cancelled: 0,
        duration_ms: 0,
        latency: new Map(),
      };
      this.#kinds.set(key, kind);
    }
    this.#lastJob = job;
    this.#lastKind = kind;
    return kind;
  }

  write(s: TallyStatements): void {
    const minute = this.#minute;
    for (const k of this.#kinds.values()) {
      for (const [state, n] of k.counts) if (n !== 0) s.count.run(k.queue, k.service_name, k.execution_type, state, '', n);
      for (const [fingerprint, n] of k.deadLetters) if (n !== 0) s.count.run(k.queue, k.service_name, k.execution_type, 'dead_letter', fingerprint, n);
      if (k.completed + k.failed + k.retried + k.cancelled > 0) {
        s.rollup.run(minute, k.queue, k.service_name, k.execution_type, k.completed, k.failed, k.retried, k.cancelled, k.duration_ms);
      }
      for (const [bucket, n] of k.latency) s.latency.run(minute, k.execution_type, k.service_name, bucket, n);
    }
    for (const f of this.#failures.values()) {
      s.failure.run(minute, f.service_name, f.error_class, f.fingerprint, f.failures, f.dead_lettered, this.#at, this.#at, f.sample_error);
    }
  }
}

function add<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}
