/**
 * What the calls of shared/contract.ts answer with, and the larger inputs they take: the console's views of
 * jobs, runners, settings, schedules and workflows (breakers in breakerView.ts). contract.ts re-exports every one.
 */
import { z } from 'zod';
import { Retention } from './retention.ts';
import {
  Attempt,
  BreakerMode,
  BreakerState,
  CancelRequest,
  ControlState,
  ExecutionType,
  HealthCheck,
  Job,
  JobStatus,
  LatencyByType,
  Timestamp,
  ThroughputBucket,
} from './domain.ts';
import { ApiKeyView } from './apiKey.ts';
import { BreakerOverrides, RegistryProblem, RetryConfig } from './registry.ts';
import { ScheduleFire, ScheduleView } from './schedule.ts';
import { PassOutput, WorkflowRun, WorkflowTask } from './workflow.ts';
import { RateLimitOverrides } from './rateLimitTuning.ts';
import { name, payloadObject, plainString, reason } from './fields.ts';
import { UnservedService } from './workerViews.ts';

export * from './workerViews.ts';

export const THROUGHPUT_WINDOW_MIN = 5;
/** Counts that would have to read many jobs stop here and are shown as "10,000+". */
export const COUNT_CAP = 10_000;

export const OverviewStats = z.object({
  counts: z.record(JobStatus, z.number().int()),
  queues: z.array(
    z.object({
      queue: z.string(),
      pending: z.number().int(),
      running: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
      waiting: z.number().int(),
      blocked: z.number().int(),
      paused: z.boolean(),
      /** How long this queue's oldest due pending job has waited; null when none is due. */
      oldest_due_age_s: z.number().nullable(),
      /** Of `pending`, those not yet due (scheduled for later, retries in backoff); null past COUNT_CAP of them in all (`scheduled_capped`). */
      scheduled: z.number().int().nullable(),
      /** Failed and not yet resolved: open dead letters, where `failed` counts every failed job still kept. */
      dead_letters: z.number().int(),
    }),
  ),
  completed_last_hour: z.number().int(),
  failed_last_hour: z.number().int(),
  dead_letters: z.number().int(),
  /** failed / (completed + failed) over the last hour; null with no traffic. */
  failure_rate: z.number().nullable(),
  /** How long the oldest due pending job of any queue has waited; null when none is due. */
  oldest_pending_age_s: z.number().nullable(),
  /**
   * Whether each queue's oldest_due_age_s was read: not when more lanes (queue, service and priority)
   * hold pending jobs than the read takes on every two seconds; those are null then.
   */
  queue_ages_read: z.boolean(),
  /** Of the pending jobs, those not yet due (scheduled for later, retries in backoff): not a backlog. */
  scheduled: z.number().int(),
  /** Counting stopped at COUNT_CAP: there are more scheduled jobs than `scheduled` says. */
  scheduled_capped: z.boolean(),
  /** Completed per minute over the last THROUGHPUT_WINDOW_MIN minutes: now, not the hour's average. */
  throughput_per_min: z.number(),
  stuck: z.number().int(),
  control: ControlState,
  at: Timestamp,
});
export type OverviewStats = z.infer<typeof OverviewStats>;

export const SeriesWindow = z.enum(['1h', '24h']);

export const OverviewSeries = z.object({
  window: SeriesWindow,
  bucket_seconds: z.number().int(),
  throughput: z.array(ThroughputBucket),
  latency: z.array(LatencyByType),
});
export type OverviewSeries = z.infer<typeof OverviewSeries>;

/**
 * The largest window `failures.recent` sums, and about how long its rows are kept. A day of a heavy burst's
 * per-minute rows sums in about 30 ms at a million jobs (README.md, Performance); a week took 130.
 */
export const FAILURE_WINDOW_MAX_MINUTES = 24 * 60;

/**
 * Failed attempts of one kind in a recent window, whether their jobs will retry or were dead-lettered: one
 * service, failure class and error fingerprint. Summed from the per-minute failure rollups the settle
 * writes, so it answers as fast over a burst of a hundred thousand failures as over ten.
 */
export const FailureGroup = z.object({
  service_name: z.string(),
  error_class: z.string(),
  fingerprint: z.string(),
  /** Failed attempts in the window. */
  failures: z.number().int(),
  /** Of those, the ones that ended their job in the dead-letter queue; after the rest the job was to try again (an operator's cancel may have ended it since). */
  dead_lettered: z.number().int(),
  /** When the first and the last of them were recorded. */
  first_seen: Timestamp,
  last_seen: Timestamp,
  /** The error of the latest of them; null when pruning took the minute that held it. */
  sample_error: z.string().nullable(),
});
export type FailureGroup = z.infer<typeof FailureGroup>;

export const RecentFailures = z.object({
  /** The window's start: failures from this minute on. */
  since: Timestamp,
  groups: z.array(FailureGroup),
  /** Failed attempts in the window, in every group. */
  total: z.number().int(),
  /** More groups than the largest ones returned: a service narrows them. */
  truncated: z.boolean(),
});
export type RecentFailures = z.infer<typeof RecentFailures>;

/**
 * What finished in a window, from the per-minute rollups the Overview reads: the runbooks'
 * `jobs.v_execution_performance_by_type`, for a recent window rather than the whole history. A window may
 * reach as far back as the rollups are kept (the registry's `retention.history`, 30d by default).
 */
export const PerformanceFigures = z.object({
  /** Jobs that completed. */
  completed: z.number().int(),
  /** Jobs that went into the dead-letter queue. */
  failed: z.number().int(),
  /**
   * Retries, not jobs: failed attempts after which the job was to be tried again. A job retried twice
   * counts twice; one retried that then completed counts here and in `completed`. Not in the success rate.
   */
  retried: z.number().int(),
  /** completed / (completed + failed), as the view computes it; null when nothing finished. */
  success_rate: z.number().nullable(),
  /**
   * Of completed jobs only (the rollups keep no duration for a failed attempt): their last attempts'
   * durations, read from the duration buckets, within about 19%. Null when nothing completed.
   */
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
  /** Finished jobs (completed and dead-lettered) per minute of the window read. */
  per_minute: z.number(),
});
export type PerformanceFigures = z.infer<typeof PerformanceFigures>;

export const TypePerformance = PerformanceFigures.extend({ execution_type: z.string() });
export type TypePerformance = z.infer<typeof TypePerformance>;

/**
 * The longest window read for every service at once: it reads each minute of each service (on SQLite a
 * month took seconds on the thread that serves the console), where one service's read is its own rows.
 */
export const EVERY_SERVICE_MOST_MINUTES = 24 * 60;

/** One service's figures, under the execution type its jobs ran as (a service whose kind changed has a row for each). */
export const ServicePerformance = PerformanceFigures.extend({ service_name: z.string(), execution_type: z.string() });
export type ServicePerformance = z.infer<typeof ServicePerformance>;

export const PerformanceByType = z.object({
  /**
   * The window read: from the whole minute at or before `since_minutes` ago (the rollups count by the
   * minute, so it may start up to a minute earlier than asked) until the moment of the read.
   */
  since: Timestamp,
  until: Timestamp,
  /** Each execution type with anything finished or retried in the window, in the order of the kinds. */
  types: z.array(TypePerformance),
  /**
   * Only when a service is named or `by` is service: each service with anything finished or retried in the
   * window, by name (of the type or service asked for).
   */
  services: z.array(ServicePerformance).optional(),
  /** Every type together (or the one asked for); its percentiles are read from all their buckets at once. */
  total: PerformanceFigures,
});
export type PerformanceByType = z.infer<typeof PerformanceByType>;

export const JobTrace = z.object({ job: Job, attempts: z.array(Attempt), stuck: z.boolean() });
export type JobTrace = z.infer<typeof JobTrace>;

/** Jobs of one service an action sends to pending while its breaker holds them: they wait, they do not run. */
export const HeldByBreaker = z.object({
  service_name: z.string(),
  /** The breaker's mode, and the state dispatch obeys (open or half_open). */
  mode: BreakerMode,
  state: BreakerState,
  /** Of the jobs the action sent to pending, those of that service. */
  jobs: z.number().int(),
});
export type HeldByBreaker = z.infer<typeof HeldByBreaker>;

/**
 * What holds back the jobs an action made pending (an enqueue, a retry, a workflow run or its retry, a
 * schedule run now, a dead-letter retry), said beside its answer: "retried" alone reads as running again.
 * Each is there only when something holds them; computed in one place (electron/api/heldBy.ts).
 */
export const HeldBy = z.object({
  /** The services whose circuit breaker holds the jobs, when any does. */
  held_by_breaker: z.array(HeldByBreaker).optional(),
  /** What the control plane holds back now of them (emergency stop, safe mode, their paused queues), each with what lifts it. */
  held_by_control: z.array(z.string()).optional(),
});
export type HeldBy = z.infer<typeof HeldBy>;

export const BulkResult = z.object({
  dry_run: z.boolean(),
  /** Jobs the action matches now. */
  matched: z.number().int(),
  /** Jobs it changed (0 on a dry run). */
  affected: z.number().int(),
  /** Of the job_ids a selector named, those that are no open dead letter (unknown, or not failed). */
  unmatched_ids: z.array(z.number().int()).optional(),
  /** A retry only: what holds the jobs it sends back (HeldBy). */
  ...HeldBy.shape,
});
export type BulkResult = z.infer<typeof BulkResult>;

/**
 * What a control call answers: the control state after it, and whether the call changed it. A call asking
 * for what is already so (a resume with no stop engaged, a queue paused again) writes nothing, audits
 * nothing, and leaves the who, when and why of the state in force as they were.
 */
export const ControlChanged = ControlState.extend({
  changed: z.boolean(),
  /** What the operator asked for that was already so, in words ("the emergency stop was not engaged; nothing changed"); null when it changed. */
  note: z.string().nullable(),
});
export type ControlChanged = z.infer<typeof ControlChanged>;

/** What an emergency stop found as it engaged, counted in the transaction that engaged it. */
export const StopFound = z.object({
  /** Running jobs, which their workers were asked to stop. */
  running: z.number().int().nonnegative(),
  /**
   * Of those, the ones whose service says on_interrupt: fail in the registry loaded where the stop was
   * engaged: they go to the dead-letter queue; the rest go back to pending, their attempt not spent.
   */
  running_fail_on_interrupt: z.number().int().nonnegative(),
  /**
   * Of those, the ones whose service the registry loaded where the stop was engaged does not name (or no
   * registry was loaded there): their workers' registry decides between pending and the dead-letter queue.
   */
  running_unknown_service: z.number().int().nonnegative(),
  /** Pending jobs, due or not, which no worker claims until the stop is released. */
  pending: z.number().int().nonnegative(),
});
export type StopFound = z.infer<typeof StopFound>;

/** What the emergency stop answers: a control change, with what it found; null when it changed nothing. */
export const EmergencyStopped = ControlChanged.extend({ stopped: StopFound.nullable() });
export type EmergencyStopped = z.infer<typeof EmergencyStopped>;

/** What a cancel answers: the job after it, and whether the cancel changed it (a stop already asked for is not asked again). */
export const JobCancelled = Job.extend({
  changed: z.boolean(),
  /** Who asked the running job to stop and when; null for a pending job, cancelled at once. */
  cancel_request: CancelRequest.nullable(),
  /** A cancel that changed nothing, in words ("cancel already requested at … by …; nothing changed"); null when it changed. */
  note: z.string().nullable(),
});
export type JobCancelled = z.infer<typeof JobCancelled>;

/**
 * What a dead-letter retry answers: the bulk result (a dry run only counts), which jobs it sends back, what
 * holds them, and what it did in the words the CLI prints.
 */
export const DlqRetryResult = BulkResult.extend({
  /** The jobs it sends back (or would), the first 100 by id, as its audit row names them. */
  job_ids: z.array(z.number().int()),
  /** How many more it sends back than job_ids lists; absent when it lists them all. */
  job_ids_more: z.number().int().optional(),
  /** Of the services and queues it sends jobs back to, those no live worker takes, with why: nothing runs those jobs until one does. Absent when every one is taken. */
  unserved: z.array(UnservedService).optional(),
  /**
   * What could not be read after the retry committed, its store having stopped answering: `who runs them could
   * not be checked: …`. The jobs were sent back all the same; `unserved` (and `held_by_control`, when the
   * control plane could not be read) is left out rather than guessed. Absent when everything was read.
   */
  unchecked: z.string().optional(),
  /** What it did, as `opsdeck dlq retry` says it: `would retry 3 dead letters`, `retried 3 dead letters; no live worker runs them: …`, or with `unchecked` after it. */
  note: z.string(),
});
export type DlqRetryResult = z.infer<typeof DlqRetryResult>;

export const RegistryView = z.object({
  path: z.string().nullable(),
  loaded_at: Timestamp.nullable(),
  services: z.array(
    z.object({
      name: z.string(),
      execution_type: ExecutionType,
      queue: z.string(),
      timeout: z.number(),
      concurrency: z.number().int().nullable(),
      /** Jobs of the service running at once across every worker, as the registry writes it (a tuning at run time: rateLimits.list). */
      max_concurrent: z.number().int().nullable(),
      /** The retry strategy in force: the service's own settings over its runner's, over the defaults. */
      retry: RetryConfig,
      /** How an HTTP service's jobs authenticate (none: there is no token to validate); null for other kinds. */
      auth_type: z.enum(['none', 'bearer', 'basic']).nullable(),
    }),
  ),
  /** Problems of the last load attempt; the services above are the last good registry. */
  problems: z.array(RegistryProblem),
  /** The file those problems were found in: after a refused load, not `path`. Null before any load. */
  problems_file: z.string().nullable(),
});
export type RegistryView = z.infer<typeof RegistryView>;

export const SettingsView = z.object({
  /** The store's location, password removed. */
  connection: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  local_execution: z.boolean(),
  registry_path: z.string().nullable(),
  actor: z.string(),
  version: z.string(),
});
export type SettingsView = z.infer<typeof SettingsView>;

/** `warning`: it connects, yet switching needs care first (a store behind this opsdeck, which switching migrates). */
export const ConnectionTest = z.object({ ok: z.boolean(), warning: z.boolean().optional(), message: z.string() });
export type ConnectionTest = z.infer<typeof ConnectionTest>;

/** Where this host keeps its log file; the desktop can open the folder, other hosts only say where it is. */
export const LogsView = z.object({
  /** The folder of the rotating log file, or null when this host logs only to its terminal. */
  directory: z.string().nullable(),
  file: z.string().nullable(),
  /** Whether settings.openLogFolder can open it here (the desktop app). */
  can_open: z.boolean(),
});
export type LogsView = z.infer<typeof LogsView>;

export const HealthReport = z.object({ ok: z.boolean(), checks: z.array(HealthCheck) });
export type HealthReport = z.infer<typeof HealthReport>;

export const EnqueueInput = z
  .object({
    service: name,
    payload: payloadObject.optional(),
    identifier: plainString(200).optional(),
    queue: plainString(100).optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    run_at: Timestamp.optional(),
  })
  .strict();
export type EnqueueInput = z.infer<typeof EnqueueInput>;

export const EnqueueOutput = z.object({ id: z.number().int(), identifier: z.string(), created: z.boolean() });

/** One job of a bulk enqueue: the service is shared by the whole batch. */
export const EnqueueItem = EnqueueInput.omit({ service: true });
export type EnqueueItem = z.infer<typeof EnqueueItem>;

/** The retention in force: the registry's `retention:` with defaults for what it leaves out. */
export const RetentionView = z.object({ retention: Retention, from_registry: z.boolean() });
export type RetentionView = z.infer<typeof RetentionView>;

export const PruneResult = z.object({
  dry_run: z.boolean(),
  completed: z.number().int(),
  cancelled: z.number().int(),
  /** Dead letters an operator had resolved; open ones are never pruned. */
  dead_letters: z.number().int(),
  /** About how many bytes the jobs took (dry run) or what was given back to the file system. */
  bytes: z.number().int(),
  /** Rows of the per-minute chart history past its own retention. */
  history_rows: z.number().int(),
});
export type PruneResult = z.infer<typeof PruneResult>;
export const ApiKeyCreated = z.object({
  key: ApiKeyView,
  /** The key itself: shown this once, never stored (only its hash is). */
  secret: z.string(),
});
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;

/** Runbook 001's name for recovery_timeout (update_circuit_breaker_settings(…, reset_timeout=60)), taken as it on every host. */
export const RESET_TIMEOUT = "recovery_timeout by the runbooks' name";

/**
 * A breaker's tuning: the keys given replace the stored ones; `defaults` forgets every tuned key.
 * `reset_timeout` is `recovery_timeout`, as `opsdeck breaker tune --reset-timeout` is; both at once are refused.
 */
export const BreakerTuneInput = z
  .object({
    service: name,
    ...BreakerOverrides.shape,
    reset_timeout: BreakerOverrides.shape.recovery_timeout.describe(`${RESET_TIMEOUT}: give one of them`),
    defaults: z.boolean().default(false),
    reason,
  })
  .strict();

/**
 * A service's rate limit tuned at run time: the numbers given replace the stored ones; `scale` multiplies
 * the budget in force (0.5 halves it); `defaults` forgets the tuning.
 */
export const RateLimitTuneInput = z
  .object({
    service: name,
    ...RateLimitOverrides.shape,
    scale: z.number().positive().max(100).optional(),
    defaults: z.boolean().default(false),
    reason,
  })
  .strict();

export const ScheduleList = z.object({
  schedules: z.array(ScheduleView),
  /** The server's clock when the list was made: next fires are counted from it. */
  now: Timestamp,
});
export type ScheduleList = z.infer<typeof ScheduleList>;

export const ScheduleFires = z.object({ fires: z.array(ScheduleFire), next_cursor: z.string().nullable() });
export type ScheduleFires = z.infer<typeof ScheduleFires>;

/** A run as the console, the CLI and the REST API show it: flagged when no task progressed for its workflow's stuck_after. */
export const WorkflowRunView = WorkflowRun.extend({ stuck: z.boolean() });
export type WorkflowRunView = z.infer<typeof WorkflowRunView>;
/**
 * A task as a run's detail shows it: a pending one with why its job is not starting, a running one whose
 * worker is lost with what becomes of it and when (each as opsdeck job ID says).
 */
export const WorkflowTaskView = WorkflowTask.extend({ waiting: z.array(z.string()) });
export type WorkflowTaskView = z.infer<typeof WorkflowTaskView>;
export const WorkflowRunDetailView = z.object({ run: WorkflowRunView, tasks: z.array(WorkflowTaskView) });
export type WorkflowRunDetailView = z.infer<typeof WorkflowRunDetailView>;

export const WorkflowView = z.object({
  name: z.string(),
  description: z.string().nullable(),
  stuck_after: z.string(),
  tasks: z.array(z.object({ name: z.string(), service: z.string(), depends_on: z.array(z.string()), pass_output: PassOutput.nullable() })),
});
export type WorkflowView = z.infer<typeof WorkflowView>;
