import { z } from 'zod';
import { ErrorClass } from './errorClass.ts';

/** Timestamps cross every boundary as ISO-8601 strings in UTC. */
export const Timestamp = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof Timestamp>;

/**
 * `waiting`: a workflow task whose upstream tasks have not all completed, held out of the queue;
 * `blocked`: a workflow task whose upstream failed or was cancelled, until that upstream is retried.
 */
export const JobStatus = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled', 'waiting', 'blocked']);
export type JobStatus = z.infer<typeof JobStatus>;
export const JOB_STATUSES = JobStatus.options;

/** The priorities a job can have: what both stores keep in a 32-bit integer column. */
export const PRIORITY_MIN = -2_147_483_648;
export const PRIORITY_MAX = 2_147_483_647;

export const ExecutionType = z.enum(['shell', 'http', 'docker', 'serverless', 'noop']);
export type ExecutionType = z.infer<typeof ExecutionType>;
export const EXECUTION_TYPES = ExecutionType.options;

/**
 * How one attempt ended. `lost`: its lease expired (worker crashed, laptop slept); `interrupted`: an
 * emergency stop or shutdown took it back without spending the attempt.
 */
export const AttemptOutcome = z.enum([
  'running',
  'completed',
  'failed',
  'timed_out',
  'lost',
  'interrupted',
  'cancelled',
]);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

export type JsonValue = z.core.util.JSONType;
export const JsonObject = z.record(z.string(), z.json());
export type JsonObject = z.infer<typeof JsonObject>;

/** An object with string keys (not null, not an array), as JSON.parse makes them. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJsonKind(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) || isPlainObject(value);
}

/**
 * JSON data in an answer, such as a job's payload: checked for its kind only, not walked. It was read
 * with JSON.parse from the store's column and again from the wire, so it is JSON by construction, while
 * z.json() walks a union down every node: a few hundred milliseconds in the console for a payload near a
 * megabyte (bench/payloadCheck.ts). What a caller sends is still checked whole (z.json() in the inputs).
 */
export const JsonData = z.custom<JsonValue>(isJsonKind, { error: 'expected JSON data (an object, an array, a string, a number, a boolean or null)' });

export const ResourceUsage = z
  .object({
    duration_ms: z.number().optional(),
    exit_code: z.number().nullable().optional(),
    signal: z.string().nullable().optional(),
    bytes_out: z.number().optional(),
    peak_memory_kb: z.number().optional(),
    cpu_ms: z.number().optional(),
    http_status: z.number().optional(),
  })
  .catchall(z.json());
export type ResourceUsage = z.infer<typeof ResourceUsage>;

export const Job = z.object({
  id: z.number().int(),
  identifier: z.string(),
  queue: z.string(),
  service_name: z.string(),
  execution_type: ExecutionType,
  payload: JsonData,
  status: JobStatus,
  priority: z.number().int(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  run_at: Timestamp,
  lease_owner: z.string().nullable(),
  lease_expires_at: Timestamp.nullable(),
  created_at: Timestamp,
  /**
   * When its last attempt started. While it runs, its claim: a job claimed ahead of a free slot waits in its
   * worker's buffer first, and the store hears of its start only with its result. Once that attempt ended,
   * when its program started (docs/ARCHITECTURE.md, "Jobs and their states").
   */
  started_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
  updated_at: Timestamp,
  error_message: z.string().nullable(),
  error_fingerprint: z.string().nullable(),
  resource_usage: ResourceUsage.nullable(),
  security_context: JsonObject.nullable(),
  resolved_at: Timestamp.nullable(),
  resolution: z.string().nullable(),
  cancel_requested: z.boolean(),
});
export type Job = z.infer<typeof Job>;

/**
 * Who asked a running job to stop, and when: an operator cancelling the job, or its workflow run
 * (`workflow_run`, null for a cancel of the job itself). Read from the audit row of the request.
 */
export const CancelRequest = z.object({
  by: z.string(),
  at: Timestamp,
  reason: z.string().nullable(),
  workflow_run: z.number().int().nullable(),
});
export type CancelRequest = z.infer<typeof CancelRequest>;

export const Attempt = z.object({
  id: z.number().int(),
  job_id: z.number().int(),
  attempt: z.number().int(),
  worker_id: z.string(),
  /** As the job's `started_at`: its claim while it runs, its program's start once it ended (a lost one keeps its claim). */
  started_at: Timestamp,
  finished_at: Timestamp.nullable(),
  outcome: AttemptOutcome,
  error_message: z.string().nullable(),
  error_class: z.string().nullable(),
  output_tail: z.string().nullable(),
  resource_usage: ResourceUsage.nullable(),
});
export type Attempt = z.infer<typeof Attempt>;

/** Who did something: the OS user and host of the process that carried out the operator's action. */
export const Actor = z.object({ user: z.string(), host: z.string() });
export type Actor = z.infer<typeof Actor>;

export const ControlFlag = z.object({
  engaged: z.boolean(),
  by: z.string().nullable(),
  at: Timestamp.nullable(),
  reason: z.string().nullable(),
});
export type ControlFlag = z.infer<typeof ControlFlag>;

export const PausedQueue = z.object({
  queue: z.string(),
  by: z.string(),
  at: Timestamp,
  reason: z.string().nullable(),
});
export type PausedQueue = z.infer<typeof PausedQueue>;

/**
 * Safe mode's graceful shutdown: no job starts, the running ones have until `until` to finish, then the
 * emergency stop interrupts what still runs. Kept in the store, so it holds when whoever asked goes away:
 * every worker (and the CLI waiting on it) ends it once `until` passes, the first to get there engaging
 * the stop in the name of `by`. Gone once ended, or when safe mode goes off.
 */
export const SafeModeDrain = z.object({
  by: z.string(),
  at: Timestamp,
  until: Timestamp,
  /** How long the running jobs were given, as asked. */
  seconds: z.number().int(),
});
export type SafeModeDrain = z.infer<typeof SafeModeDrain>;

export const ControlState = z.object({
  emergency_stop: ControlFlag,
  safe_mode: ControlFlag,
  /** A drain under way (SafeModeDrain); absent when none is. */
  drain: SafeModeDrain.optional(),
  paused_queues: z.array(PausedQueue),
  /** Bumped on every change, so a poller can tell "changed" from one integer. */
  version: z.number().int(),
});
export type ControlState = z.infer<typeof ControlState>;

export const BreakerState = z.enum(['closed', 'open', 'half_open']);
export type BreakerState = z.infer<typeof BreakerState>;
export const BreakerMode = z.enum(['auto', 'force_open', 'force_closed']);
export type BreakerMode = z.infer<typeof BreakerMode>;

/** One circuit breaker as stored: shared by every worker on the store. */
export const BreakerRecord = z.object({
  service_name: z.string(),
  state: BreakerState,
  mode: BreakerMode,
  /** Start of the current rolling-window bucket and the counts in it and in the bucket before. */
  window_started_at: Timestamp,
  window_failures: z.number().int(),
  window_successes: z.number().int(),
  prev_failures: z.number().int(),
  prev_successes: z.number().int(),
  opened_at: Timestamp.nullable(),
  /**
   * When it last left closed; null while closed. Unlike opened_at, which each failed probe moves, it spans
   * the whole outage: open → half_open → open while the upstream stays down is one.
   */
  left_closed_at: Timestamp.nullable(),
  probes_in_flight: z.number().int(),
  probe_started_at: Timestamp.nullable(),
  last_transition_at: Timestamp.nullable(),
  last_error: z.string().nullable(),
  mode_set_by: z.string().nullable(),
  mode_set_at: Timestamp.nullable(),
  mode_reason: z.string().nullable(),
  /** Optimistic-concurrency token: a save lands only if nobody saved in between. */
  version: z.number().int(),
});
export type BreakerRecord = z.infer<typeof BreakerRecord>;

/**
 * `held`: the control plane holds it (safe mode or the emergency stop): it takes no new job, and takes them
 * again once released. `draining`: it is stopping, and lets its running jobs finish first.
 */
export const WorkerState = z.enum(['running', 'held', 'draining', 'stopped']);
export type WorkerState = z.infer<typeof WorkerState>;

/** A worker's process as its heartbeat measured it: resident set and V8 heap in use, in bytes. */
export const WorkerMemory = z.object({
  rss_bytes: z.number().int().nonnegative(),
  heap_used_bytes: z.number().int().nonnegative(),
});
export type WorkerMemory = z.infer<typeof WorkerMemory>;

/**
 * The registry a worker runs: the sha256 of the bytes it loaded (hex), the file they came from (null: text
 * with no file, as the demo's), and when it loaded them (at start, or the last reload that took).
 */
export const WorkerRegistry = z.object({
  digest: z.string(),
  path: z.string().nullable(),
  loaded_at: Timestamp,
});
export type WorkerRegistry = z.infer<typeof WorkerRegistry>;

/**
 * One service a worker lacks something for, as its last check found it: variables by name only, never a
 * value. What it lacks is split by what it is, so the fleet's views can count it across workers.
 */
export const ServiceLack = z.object({
  service: z.string(),
  execution_type: ExecutionType,
  /** The variables its jobs read (runners/variablesUnset.ts: those its runner uses, missing as that runner means it) unset in the worker's environment. */
  unset: z.array(z.string()),
  /** Why the Docker daemon at the service's socket does not answer the worker (away, or slow: only away is declined); null when it does, or the service is no docker one. */
  docker: z.string().nullable(),
  /** Anything else its jobs would fail on there, in their words: AWS credentials not found, a program missing, the registry's own check. */
  other: z.array(z.string()),
  /** The worker leaves the service out of its claims while this holds: an unset variable or a daemon certainly away fails every job. */
  declined: z.boolean(),
});
export type ServiceLack = z.infer<typeof ServiceLack>;

/** What a worker found it cannot run at its last check (at start, after a reload, then every `looks_every_ms`); `services` empty: nothing. */
export const WorkerCannotRun = z.object({
  checked_at: Timestamp,
  services: z.array(ServiceLack),
  /**
   * The runner kinds whose probes had not answered yet (a first look at a registry says what needs none at
   * once: the variables, the registry's own checks): their services' lacks come with a later record. Absent: none.
   */
  probing: z.array(ExecutionType).optional(),
  /**
   * Of those, the kinds whose probes ran out the look's wait without answering: their services are said as
   * the look before found them. A kind still probing and not here is merely not answered yet (a look under
   * way, a reload's record said in parts). Absent: none, and from a worker of a version that did not say.
   */
  unanswered: z.array(ExecutionType).optional(),
  /** How long after a look the worker looks again; absent from a worker of a version that did not say. */
  looks_every_ms: z.number().int().positive().optional(),
});
export type WorkerCannotRun = z.infer<typeof WorkerCannotRun>;

/**
 * A worker's pool of PostgreSQL connections between its last two heartbeats: not a snapshot, which would
 * miss a pool exhausted between beats, but the most it went through since the heartbeat before.
 */
export const WorkerPool = z.object({
  /** Its size: the most connections it opens (OPSDECK_PG_POOL_MAX where the worker runs). */
  max: z.number().int().positive(),
  /** The most connections lent out (or opening) at once. */
  peak_in_use: z.number().int().nonnegative(),
  /** The most callers waiting at once for a connection, every one being in use; above 0, the pool was exhausted. */
  peak_waiting: z.number().int().nonnegative(),
  /** The longest a caller waited from asking for a connection to getting one (or giving up), in milliseconds. */
  longest_wait_ms: z.number().nonnegative(),
});
export type WorkerPool = z.infer<typeof WorkerPool>;

export const WorkerInfo = z.object({
  id: z.string(),
  /** What it was named (`opsdeck worker --name`), shared by any number of workers; null when it was not. */
  name: z.string().nullable(),
  host: z.string(),
  pid: z.number().int(),
  version: z.string(),
  started_at: Timestamp,
  concurrency: z.number().int(),
  queues: z.array(z.string()).nullable(),
  /** The services its registry names; null from a worker of a version that did not say, taken as able to run any. */
  services: z.array(z.string()).nullable(),
  in_flight: z.number().int(),
  state: WorkerState,
  last_heartbeat_at: Timestamp,
  /**
   * As of its last heartbeat (`last_heartbeat_at`): a lost or stopped worker's is its last known. Null from
   * a worker of a version that did not say, or one that has not beaten since it registered.
   */
  memory: WorkerMemory.nullable(),
  /**
   * The worker process's CPU use as of its last heartbeat: the CPU time (user and system) it spent since the
   * heartbeat before, as a percent of one core, so above 100 when it kept more than one core busy. Null as
   * `memory` is, and from a first heartbeat with nothing before it to measure from.
   */
  cpu_percent: z.number().nonnegative().nullable(),
  /**
   * Its store's connection pool between its last two heartbeats. Null on SQLite, which has no pool, and as
   * `memory` is: from a worker of a version that did not say, or one that has not beaten since it registered.
   */
  pool: WorkerPool.nullable(),
  /** The registry it runs, as it last declared; null from a worker of a version that did not say. */
  registry: WorkerRegistry.nullable(),
  /**
   * What it cannot run, as its last check found, written with a heartbeat. Null: not known, from a worker of
   * a version that does not check, or one that has not written its first check since it registered.
   */
  cannot_run: WorkerCannotRun.nullable(),
  /** Derived at read time: the heartbeat is older than the lost threshold, and the worker did not say it stopped. */
  lost: z.boolean(),
});
export type WorkerInfo = z.infer<typeof WorkerInfo>;

/**
 * The running jobs still leased to a lost worker. Nobody runs them, yet none counts as stuck (`jobs --stuck`)
 * until its lease runs out; then a live worker takes it back.
 */
export const LostWorkerLeases = z.object({
  worker_id: z.string(),
  jobs: z.number().int(),
  /** When the last of their leases runs out (null if the store knows none's): all of them are stuck by then. */
  leases_run_out_at: Timestamp.nullable(),
});
export type LostWorkerLeases = z.infer<typeof LostWorkerLeases>;

/**
 * A live worker whose registry is not the file the answering host reads now (it loads the file only at
 * start and on SIGHUP), with what to do, in a sentence: the one `health-check registry` warns with.
 */
export const RegistryDrift = z.object({ worker_id: z.string(), detail: z.string() });
export type RegistryDrift = z.infer<typeof RegistryDrift>;

export const AuditEntry = z.object({
  id: z.number().int(),
  at: Timestamp,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  job_count: z.number().int().nullable(),
  details: JsonObject.nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/**
 * One fingerprint's open dead letters. `first_seen` and `last_seen` are when the group's oldest and newest
 * dead letter (by job id) failed; the newest is the sample.
 */
export const DlqGroup = z.object({
  fingerprint: z.string(),
  count: z.number().int(),
  first_seen: Timestamp,
  last_seen: Timestamp,
  services: z.array(z.string()),
  execution_types: z.array(ExecutionType),
  sample_error: z.string(),
  sample_job_id: z.number().int(),
  /**
   * The failure class its dead letters failed of, which their fingerprint is made with: the sample's last
   * attempt's. Null for one whose attempt recorded none (written before classes were kept).
   */
  error_class: z.string().nullable(),
});
export type DlqGroup = z.infer<typeof DlqGroup>;

/**
 * Which dead letters a bulk action touches. All given fields must match (AND); an empty selector
 * means every open dead letter. `search` is plain text matched as a substring, never a pattern.
 */
export const DlqSelector = z
  .object({
    job_ids: z.array(z.number().int().positive()).max(10_000).optional(),
    fingerprint: z.string().max(200).optional(),
    search: z.string().max(500).optional(),
    service: z.string().max(200).optional(),
    /**
     * Only dead letters that failed for good of this class (a family too: `http_5xx`): their last attempt's,
     * the class each DlqGroup names, never an earlier attempt's. JobFilter's `error_class` picks jobs by any attempt.
     */
    error_class: ErrorClass.optional(),
    /** Every open dead letter: what a bulk action with nothing else in its selector must say (dlqSelection.ts). */
    all: z.literal(true).optional(),
  })
  .strict();
export type DlqSelector = z.infer<typeof DlqSelector>;

export const JobFilter = z
  .object({
    status: z.array(JobStatus).optional(),
    queue: z.string().max(200).optional(),
    service: z.string().max(200).optional(),
    execution_type: z.array(ExecutionType).optional(),
    created_after: Timestamp.optional(),
    created_before: Timestamp.optional(),
    /** Substring of the error message; plain text, never a pattern. */
    search: z.string().max(500).optional(),
    /** Only jobs with an attempt that failed of this class (`resource_limit`, `http_503`, or a family: `http_5xx`, `rate_limited` with `http_429`). */
    error_class: ErrorClass.optional(),
    /** Dead letters only: failed and not yet resolved. */
    unresolved: z.boolean().optional(),
    /** Only jobs whose lease has expired while running. */
    stuck: z.boolean().optional(),
    /** Only pending jobs not yet due: scheduled for later, or a retry waiting out its backoff. */
    scheduled: z.boolean().optional(),
    /** Only jobs whose current or last attempt started at or before this time (with status running: long runners; `--running-longer-than 0s` includes one started this millisecond). */
    started_before: Timestamp.optional(),
  })
  .strict();
export type JobFilter = z.infer<typeof JobFilter>;

export const QueueCount = z.object({ queue: z.string(), status: JobStatus, count: z.number().int() });
export type QueueCount = z.infer<typeof QueueCount>;

export const ThroughputBucket = z.object({
  at: Timestamp,
  completed: z.number().int(),
  failed: z.number().int(),
});
export type ThroughputBucket = z.infer<typeof ThroughputBucket>;

export const LatencyByType = z.object({
  execution_type: ExecutionType,
  count: z.number().int(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
});
export type LatencyByType = z.infer<typeof LatencyByType>;

export const HealthCheck = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** Passing, yet worth a look (a lost worker whose jobs were taken back): shown as a warning, never a failure. */
  warning: z.boolean().optional(),
  detail: z.string(),
});
export type HealthCheck = z.infer<typeof HealthCheck>;
