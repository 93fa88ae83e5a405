import { z } from 'zod';
import {
  AuditEntry,
  BreakerMode,
  BreakerState,
  ControlState,
  DlqGroup,
  DlqSelector,
  ExecutionType,
  Job,
  JobFilter,
  LostWorkerLeases,
  RegistryDrift,
  Timestamp,
} from './domain.ts';
import { ApiKeyName, ApiKeyScope, ApiKeyView } from './apiKey.ts';
import { ProbeUrl, ServiceConnectivity, TokenCheck } from './connectivity.ts';
import { RegistryProblem } from './registry.ts';
import { NewScheduleConfig, ScheduleChange, ScheduleFire, ScheduleName, ScheduleView } from './schedule.ts';
import { ScheduleCheck, ScheduleCheckInput } from './scheduleCheck.ts';
import { WorkflowRunStatus } from './workflow.ts';
import { WORKFLOW_STATS_MAX_MINUTES, WorkflowStatsView } from './workflowStats.ts';
import { RateLimitTuned, RateLimitView } from './rateLimitTuning.ts';
import { Diagnosis, SupportBundle } from './diagnosis.ts';
import { ALERT_RULE_TEXT_MAX, AlertEvent, AlertRule, AlertSeverity, AlertState, AlertView, StoredAlertRule } from './alerts.ts';
import { Empty, cursor, idOrIdentifier, limit, name, payloadObject, plainString, reason } from './fields.ts';
import {
  OverviewStats,
  SeriesWindow,
  OverviewSeries,
  JobTrace,
  BulkResult,
  DlqRetryResult,
  ControlChanged,
  EmergencyStopped,
  JobCancelled,
  RunnerView,
  UnservedService,
  RegistryView,
  SettingsView,
  ConnectionTest,
  LogsView,
  HealthReport,
  EnqueueInput,
  EnqueueOutput,
  EnqueueItem,
  HeldBy,
  RetentionView,
  PruneResult,
  ApiKeyCreated,
  BreakerTuneInput,
  RateLimitTuneInput,
  ScheduleList,
  ScheduleFires,
  WorkflowRunView,
  WorkflowRunDetailView,
  WorkflowView,
  FAILURE_WINDOW_MAX_MINUTES,
  RecentFailures,
  PerformanceByType,
  StoreOutageEnded,
  WorkerView,
} from './views.ts';
import { BreakerModeSet, BreakerTuned, BreakerView } from './breakerView.ts';

export * from './views.ts';
export * from './breakerView.ts';
export * from './diagnosis.ts';
export * from './workflowStats.ts';

const scheduleName = z.object({ name: ScheduleName }).strict();

const Call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string) => ({ input, output, doc });

/**
 * Every call the renderer, the CLI and the tests can make, with its input and output schema. Hosts
 * validate each input before a handler sees it; types everywhere come from these schemas.
 */
export const calls = {
  'overview.stats': Call(Empty, OverviewStats, 'Counts, rates and the control state at a glance.'),
  'overview.series': Call(z.object({ window: SeriesWindow }).strict(), OverviewSeries, 'Throughput, failures and latency over time.'),

  'jobs.list': Call(
    z.object({ filter: JobFilter.default({}), after: cursor, limit: limit(500, 100) }).strict(),
    z.object({ jobs: z.array(Job), next_cursor: z.string().nullable() }),
    'Jobs newest first (newest created first when a creation-time range is given without a search or failure class), filtered, keyset-paginated.',
  ),
  'jobs.get': Call(z.object({ id: idOrIdentifier }).strict(), JobTrace, 'One job and every attempt.'),
  'jobs.waiting': Call(
    z.object({ id: idOrIdentifier }).strict(),
    z.object({ reasons: z.array(z.string()) }),
    'Why a pending job is not starting, each reason with what lifts it; none when the next free worker takes it.',
  ),
  'jobs.retry': Call(z.object({ id: idOrIdentifier }).strict(), Job.extend(HeldBy.shape), 'Runs a failed or cancelled job again; says what holds it back (HeldBy).'),
  'jobs.cancel': Call(
    z.object({ id: idOrIdentifier, reason }).strict(),
    JobCancelled,
    'Cancels a pending job, or stops a running one. A running job already asked to stop is not asked again (changed false, nothing audited).',
  ),
  'jobs.fail': Call(
    z
      .object({
        id: idOrIdentifier,
        reason: z.string().trim().min(1).max(500),
        force: z.boolean().default(false),
        /** Only while its lease is still expired (opsdeck fail --stuck): a job taken back and started again since it was listed is left alone. */
        only_if_stuck: z.boolean().default(false),
      })
      .strict(),
    Job,
    'Fails a running job whose worker is gone, now: into the dead-letter queue. A job a live worker holds needs force; only_if_stuck leaves one whose lease runs again.',
  ),
  'jobs.enqueue': Call(EnqueueInput, EnqueueOutput.extend(HeldBy.shape), 'Adds a job for a service of the registry; says what holds it back (HeldBy).'),
  'jobs.enqueueMany': Call(
    z.object({ service: name, jobs: z.array(EnqueueItem).min(1).max(10_000) }).strict(),
    z.object({ jobs: z.array(EnqueueOutput), created: z.number().int(), ...HeldBy.shape }),
    'Adds many jobs of one service in one transaction: all or nothing; says what holds them back (HeldBy).',
  ),

  'dlq.groups': Call(
    z.object({ search: z.string().max(500).optional(), service: z.string().max(200).optional() }).strict(),
    z.object({
      groups: z.array(DlqGroup),
      /** Open dead letters the filter matches, in every group. */
      total: z.number().int(),
      /** More groups match than the largest ones returned: a search or a service narrows them. */
      truncated: z.boolean(),
    }),
    'Dead letters grouped by error fingerprint, the largest groups first.',
  ),
  'failures.recent': Call(
    z
      .object({
        since_minutes: z.number().int().min(1).max(FAILURE_WINDOW_MAX_MINUTES).default(60),
        service: z.string().min(1, 'a service name, not empty').max(200).optional(),
      })
      .strict(),
    RecentFailures,
    'Failed attempts of the last minutes grouped by service, failure class and error fingerprint, retrying or dead, the largest groups first.',
  ),
  'metrics.byType': Call(
    z
      .object({
        /** Up to the per-minute history kept (the registry's retention.history, 30d by default); longer is refused. */
        since_minutes: z.number().int().min(1).default(60),
        type: ExecutionType.optional(),
        /** One service's jobs only: its history is read whether or not the registry still names it. */
        service: z.string().min(1, 'a service name, not empty').max(200).optional(),
        /** `service` adds a row per service (`services`); so does `service` above. Per type only by default. Every service at once (`service` without a service named) reads 24h at most: a longer window is refused. */
        by: z.enum(['type', 'service']).default('type'),
      })
      .strict(),
    PerformanceByType,
    'Per execution type (and per service, when one is named or `by` is service) over the last minutes, as far back as the rollups are kept: jobs completed and dead-lettered, retries (attempts), success rate, p50/p95/p99 of completed jobs\' durations and jobs per minute, and the window read (from its whole minute to now).',
  ),
  'dlq.list': Call(
    z.object({ selector: DlqSelector.default({}), after: cursor, limit: limit(500, 100) }).strict(),
    z.object({ jobs: z.array(Job), next_cursor: z.string().nullable() }),
    "The dead letters a selector matches, newest id first; one group's (a fingerprint alone) newest failure first.",
  ),
  'dlq.retry': Call(
    z.object({ selector: DlqSelector, dry_run: z.boolean().default(false) }).strict(),
    DlqRetryResult,
    'Sends dead letters back to pending: which jobs, the services whose circuit breaker will hold them, and those no live worker runs.',
  ),
  'dlq.resolve': Call(
    // The note is kept with each job and in the audit log: a dry run keeps nothing, so it needs none.
    z.object({ selector: DlqSelector, note: z.string().trim().min(1).max(2000).optional(), dry_run: z.boolean().default(false) }).strict(),
    BulkResult,
    'Marks dead letters resolved with a note (not needed for a dry run); they leave the open list.',
  ),
  'dlq.purge': Call(z.object({ before: Timestamp, dry_run: z.boolean().default(false) }).strict(), BulkResult, 'Deletes resolved dead letters older than a date.'),

  'breakers.list': Call(Empty, z.object({ breakers: z.array(BreakerView) }), 'Every service breaker.'),
  'breakers.get': Call(
    z.object({ service: name }).strict(),
    BreakerView,
    "One service's breaker, as breakers.list shows it; a service the registry does not name and no breaker remembers is not found.",
  ),
  'breakers.setMode': Call(
    z.object({ service: name, mode: z.enum(['auto', 'force_open', 'force_closed', 'reset']), reason }).strict(),
    BreakerModeSet,
    'Forces a breaker open or closed, returns it to auto, or resets it. A breaker already in that mode (for a reset: closed in auto with nothing to clear) is left as it is, keeping who set its mode, when and why (changed false, nothing audited).',
  ),
  'breakers.setModeAll': Call(
    z.object({ mode: z.enum(['auto', 'force_open', 'force_closed', 'reset']), reason }).strict(),
    z.object({
      breakers: z.array(BreakerView),
      /**
       * The services whose breaker this call changed, each audited on its own; it leaves out those already in
       * the mode asked, and for a reset those already closed in auto with nothing to clear.
       */
      changed: z.array(z.string()),
    }),
    "breakers.setMode for every breaker (the runbooks' reset_all_circuit_breakers), each audited on its own; it changes and audits only the breakers whose mode it changes (a reset: those it clears, open, half-open, forced, or holding failures), and lists them as changed.",
  ),

  'breakers.tune': Call(BreakerTuneInput, BreakerTuned, "Tunes a breaker's settings at run time for every worker, or returns it to the registry's."),

  'control.get': Call(Empty, ControlState, 'Emergency stop, safe mode and paused queues.'),
  'control.emergencyStop': Call(
    z.object({ reason }).strict(),
    EmergencyStopped,
    'Stops dispatch everywhere and interrupts running jobs: they go back to pending, their attempt not spent (or to the dead-letter queue where their service says on_interrupt: fail), and run again once released. Says how many jobs it asked to stop and held. Engaged already, it stays as it was engaged (changed false, stopped null, nothing audited).',
  ),
  'control.resume': Call(Empty, ControlChanged, 'Releases the emergency stop; with none engaged, changes nothing (changed false, nothing audited).'),
  'control.safeMode': Call(
    z
      .object({
        enabled: z.boolean(),
        reason,
        /** Seconds the running jobs have to finish before the emergency stop interrupts the rest (the runbooks' graceful shutdown). */
        drain: z.number().int().min(1).max(86_400).optional(),
      })
      .strict()
      .refine((input) => input.enabled || input.drain === undefined, { path: ['drain'], message: 'a drain goes with enabled: true' }),
    ControlChanged,
    'Stops dispatch; running jobs finish. Already as asked, changes nothing (changed false, nothing audited). With drain (seconds), the graceful shutdown: the running jobs have that long, then the emergency stop interrupts what still runs, engaged by whichever worker sees the deadline pass first (the caller need not wait): control.drain says until when, overview.stats counts what still runs. Asked with safe mode on already, it is a change all the same.',
  ),
  'control.pauseQueue': Call(
    z.object({ queue: name, paused: z.boolean(), reason, force: z.boolean().default(false) }).strict(),
    ControlChanged,
    'Pauses or resumes one queue; one already as asked is left as it is (changed false, nothing audited). A queue no service, schedule or job uses yet is paused only with force (a typo pauses nothing real).',
  ),

  'runners.list': Call(
    Empty,
    z.object({ runners: z.array(RunnerView), unserved: z.array(UnservedService) }),
    "Runner kinds with health and in-flight counts, and each service of this host's registry no live worker takes, with why.",
  ),
  'runners.connectivity': Call(
    z
      .object({ service: name.optional(), url: ProbeUrl.optional() })
      .strict()
      .refine((input) => input.service === undefined || input.url === undefined, 'name a service or a url, not both'),
    z.object({ services: z.array(ServiceConnectivity) }),
    "DNS, TCP, TLS and an HTTP GET of each HTTP service (or the one named, or a url), timed: of the URL its jobs call when they GET it, else of its base_url without its query, whose answer is then inconclusive, with their breaker and recent failures as evidence; nothing is ever sent to the URL jobs that POST, PUT, PATCH or DELETE call, with any method: where the base_url is that URL (but for a trailing slash), no request is sent and the HTTP step is inconclusive.",
  ),
  'runners.validateToken': Call(
    z.object({ service: name }).strict(),
    TokenCheck,
    "Whether an HTTP service's credential variables are set and the service accepts the credential.",
  ),
  'workers.list': Call(
    Empty,
    z.object({ workers: z.array(WorkerView), lost_leases: z.array(LostWorkerLeases), registry_drift: z.array(RegistryDrift), store_outage: StoreOutageEnded.nullable() }),
    'Workers with their heartbeats (a lost one with its state lost and its jobs in flight unknown), the running jobs still leased to each lost one with when their leases run out, and each live worker whose registry differs from the file this host reads now (none when it reads no file). Just after an outage of the store this host saw end, `store_outage` says when it was, and a worker that was live when the store stopped answering shows as reconnecting, not lost, until its heartbeat comes or `store_outage.reconnect_until` passes; null otherwise.',
  ),
  'workers.forget': Call(
    z.object({ id: z.string().trim().min(1).max(200) }).strict(),
    z.object({ forgotten: WorkerView }),
    'Forgets a lost or stopped worker no running job is leased to (audited): it leaves the list and the health check. `id` is its id or its name (`worker --name`, any case) when one worker has that name.',
  ),

  'registry.get': Call(Empty, RegistryView, 'The loaded service registry and the last load problems.'),
  'registry.validate': Call(
    z.object({ path: z.string().min(1).max(4096).optional(), text: z.string().max(1_000_000).optional() }).strict(),
    z.object({ ok: z.boolean(), problems: z.array(RegistryProblem), services: z.number().int() }),
    'Validates a registry file or text without loading it.',
  ),
  'registry.load': Call(z.object({ path: z.string().min(1).max(4096) }).strict(), RegistryView, 'Loads a registry file; a bad one is refused.'),

  'settings.get': Call(Empty, SettingsView, 'Connection, registry and execution settings.'),
  'retention.get': Call(Empty, RetentionView, 'How long finished jobs and the chart history are kept.'),
  'retention.prune': Call(
    z.object({ dry_run: z.boolean().default(false) }).strict(),
    PruneResult,
    'Prunes now what is past its retention (dry run: counts it); audited.',
  ),
  'settings.testConnection': Call(z.object({ url: z.string().min(1).max(4096) }).strict(), ConnectionTest, 'Tries a store URL without switching.'),
  'settings.setConnection': Call(z.object({ url: z.string().min(1).max(4096) }).strict(), SettingsView, 'Switches to another store.'),
  'settings.setLocalExecution': Call(z.object({ enabled: z.boolean() }).strict(), SettingsView, 'Whether this console also runs jobs.'),
  'settings.logs': Call(Empty, LogsView, "Where this host's log file is."),
  'settings.openLogFolder': Call(Empty, LogsView, 'Opens the log folder in the file manager (the desktop app only).'),

  'audit.list': Call(
    z.object({ action: z.string().max(100).optional(), search: z.string().max(500).optional(), after: cursor, limit: limit(500, 100) }).strict(),
    z.object({ entries: z.array(AuditEntry), next_cursor: z.string().nullable() }),
    'Operator actions, newest first.',
  ),
  'apiKeys.list': Call(Empty, z.object({ keys: z.array(ApiKeyView) }), 'API keys of the REST API: never the keys themselves.'),
  'apiKeys.create': Call(
    z.object({ name: ApiKeyName, scope: ApiKeyScope, expires_in_days: z.number().int().min(1).max(3650).optional() }).strict(),
    ApiKeyCreated,
    'Creates an API key and shows it once; only its hash is kept.',
  ),
  'apiKeys.revoke': Call(z.object({ name: z.string().min(1).max(64) }).strict(), ApiKeyView, 'Revokes an API key: it stops working at once.'),
  'schedules.list': Call(Empty, ScheduleList, 'Every schedule: its next three fires and its last fire with the job it made.'),
  'schedules.get': Call(scheduleName, ScheduleView, 'One schedule.'),
  'schedules.fires': Call(
    z.object({ name: ScheduleName, limit: limit(500, 50), cursor }).strict(),
    ScheduleFires,
    "One schedule's fire history, newest first: jobs made and fires skipped.",
  ),
  'schedules.add': Call(NewScheduleConfig, ScheduleView, 'Adds a schedule (kept in the store, beside the registry ones).'),
  'schedules.check': Call(
    ScheduleCheckInput,
    ScheduleCheck,
    "Checks a cron expression and its time zone without adding a schedule: each problem in the words schedules.add refuses it with, or the next fires (count, default 5). Saves nothing.",
  ),
  'schedules.remove': Call(scheduleName, ScheduleView, "Removes a schedule an operator added; a registry schedule is removed from the registry."),
  'schedules.pause': Call(
    z.object({ name: ScheduleName, reason }).strict(),
    ScheduleChange,
    'Pauses a schedule: it fires nothing until resumed. One already paused is left as it is (changed: false, said in note).',
  ),
  'schedules.resume': Call(
    scheduleName,
    ScheduleChange,
    'Resumes a schedule from its next fire; fires that passed while paused are not run. One not paused is left as it is (changed: false); note says when it still fires nothing (disabled in its definition).',
  ),
  'schedules.runNow': Call(scheduleName, ScheduleFire.extend(HeldBy.shape), 'Enqueues one job of the schedule now, as a fire would, paused or not; says what holds it back (HeldBy).'),
  'workflows.list': Call(Empty, z.object({ workflows: z.array(WorkflowView) }), "The registry's workflows and their tasks."),
  'workflows.run': Call(
    z.object({ workflow: name, payload: payloadObject.default({}), identifier: plainString(150).optional() }).strict(),
    z.object({ run_id: z.number().int(), identifier: z.string(), created: z.boolean(), ...HeldBy.shape }),
    'Starts a run of a workflow (idempotent by identifier): every task a job, released as what it depends on completes; says what holds its tasks back (HeldBy).',
  ),
  'workflows.runs': Call(
    z.object({ workflow: z.string().max(200).optional(), status: WorkflowRunStatus.optional(), after: cursor, limit: limit(500, 50) }).strict(),
    z.object({ runs: z.array(WorkflowRunView), next_cursor: z.string().nullable() }),
    'Workflow runs newest first, with their tasks per state.',
  ),
  'workflows.show': Call(z.object({ run: idOrIdentifier }).strict(), WorkflowRunDetailView, 'One run and each task with its state and timing.'),
  'workflows.retry': Call(
    z.object({ run: idOrIdentifier }).strict(),
    z.object({ retried: z.array(z.number().int()), ...HeldBy.shape }),
    'Retries the failed and cancelled tasks of a run; what they blocked runs once they complete; says what holds them back (HeldBy). A run with none is a conflict.',
  ),
  'workflows.cancel': Call(
    z.object({ run: idOrIdentifier, reason }).strict(),
    z.object({
      cancelled: z.number().int(),
      stopping: z.number().int(),
      changed: z.boolean(),
      /** A run cancelled already, in words ("workflow run 7 (r2) of etl was already cancelled at …; nothing changed"); null when this call cancelled it. */
      note: z.string().nullable(),
    }),
    'Cancels the tasks of a run that have not started and stops the running ones. A run cancelled already is left as it is (changed false, nothing audited); one that completed or failed is a conflict.',
  ),
  'workflows.stats': Call(
    z
      .object({
        since_minutes: z.number().int().min(1).max(WORKFLOW_STATS_MAX_MINUTES).default(1440),
        workflow: z.string().min(1, 'a workflow name, not empty').max(200).optional(),
      })
      .strict(),
    WorkflowStatsView,
    'Per workflow, the runs started in the last minutes: how many, succeeded, failed, cancelled and still running, and p50/p95 of the completed runs\' durations.',
  ),
  'workflows.stuck': Call(
    Empty,
    z.object({ runs: z.array(WorkflowRunView), counts: z.array(z.object({ workflow: z.string(), stuck: z.number().int().nonnegative() })) }),
    'Running runs with no task progress for their stuck_after: the longest stuck of each workflow (200 at most), and how many of each are stuck, however many.',
  ),
  'support.diagnose': Call(Empty, Diagnosis, 'The health checks plus versions, store size and slowest statements, and the top error patterns.'),
  'support.bundle': Call(
    Empty,
    SupportBundle,
    'A .tar.gz to send (diagnosis, registry, recent failures, audit, the end of the log), secret values redacted; audited.',
  ),
  'health.check': Call(
    z.object({ check: z.string().min(1).max(100).optional() }).strict(),
    HealthReport,
    'Store, migrations, registry, runners and workers; with check, only that one (scheduler, dispatch, store, runner, worker, …).',
  ),
  'alerts.list': Call(
    Empty,
    z.object({ alerts: z.array(AlertView), firing: z.number().int() }),
    "The registry's alert rules with their state: firing or not, since when, acknowledged, silenced.",
  ),
  'alerts.history': Call(
    z.object({ rule: z.string().max(100).optional(), after: cursor, limit: limit(500, 100) }).strict(),
    z.object({ events: z.array(AlertEvent), next_cursor: z.string().nullable() }),
    'Firing and resolved transitions and channel deliveries, newest first.',
  ),
  'alerts.ack': Call(
    z.object({ rule: name, note: z.string().trim().min(1).max(2000) }).strict(),
    AlertState,
    'Acknowledges a firing alert with a note; audited.',
  ),
  'alerts.silence': Call(
    z.object({ rule: name, minutes: z.number().int().min(0).max(60 * 24 * 30), reason }).strict(),
    AlertState,
    "Silences an alert's notifications for some minutes (0 lifts the silence); its transitions are still recorded. Audited.",
  ),
  'alerts.checkRule': Call(
    z.object({ text: z.string().max(ALERT_RULE_TEXT_MAX, `an alert rule is one rule of YAML, at most ${ALERT_RULE_TEXT_MAX} characters`) }).strict(),
    z.object({ rule: AlertRule.nullable(), problems: z.array(RegistryProblem) }),
    "Checks one alert rule written as YAML (what goes under alerts: in the registry) as alerts save-rule does: every problem at its line, in the runbooks' words; rule is null when any is an error. Saves nothing.",
  ),
  'alerts.saveRule': Call(
    z.object({ rule: AlertRule }).strict(),
    StoredAlertRule,
    "Adds or replaces an alert rule kept in the store (the registry's own rules change in its file); audited.",
  ),
  'alerts.deleteRule': Call(z.object({ name }).strict(), z.object({ deleted: z.boolean() }), 'Deletes an alert rule written in the console; audited.'),
  'rateLimits.list': Call(
    Empty,
    z.object({ services: z.array(RateLimitView) }),
    'Rate limits, max_concurrent and upstream pauses in use now, per service, with the registry numbers and any run-time tuning.',
  ),
  'rateLimits.tune': Call(
    RateLimitTuneInput,
    RateLimitTuned,
    "Sets a service's rate limit or max_concurrent at run time for every worker (the runbooks' reduce worker budgets), or returns it to the registry's.",
  ),
  'demo.start': Call(
    z.object({ jobs: z.number().int().min(1).max(5000).default(200) }).strict(),
    z.object({ registry_path: z.string(), enqueued: z.number().int(), endpoint: z.string().nullable(), endpoint_problem: z.string().nullable() }),
    "Loads the example registry, starts the local endpoint its HTTP service calls (null: its port is taken by something else, and endpoint_problem says what to do) and enqueues a burst of jobs.",
  ),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type ParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;
export const CALL_NAMES = Object.keys(calls) as CallName[];

export function isCallName(value: string): value is CallName {
  return Object.hasOwn(calls, value);
}

/** Pushed from host to renderer. */
/** The subprotocol of the browser host's event socket; the console's token rides beside it, never echoed back. */
export const EVENTS_PROTOCOL = 'opsdeck.v1';

export const events = {
  'stats.tick': OverviewStats,
  'jobs.changed': z.object({ ids: z.array(z.number().int()).optional() }),
  'breaker.changed': z.object({ service: z.string(), state: BreakerState, mode: BreakerMode, reason: z.string() }),
  'control.changed': ControlState,
  'workers.changed': z.object({}),
  /** `action` as in ApiError: set when the store stays down until an operator acts. */
  'store.status': z.object({ ok: z.boolean(), message: z.string(), action: z.string().optional() }),
  /** An alert fired or resolved (recorded by whichever process evaluates); `desktop`: the rule asks for a notice. */
  'alert.changed': z.object({
    rule: z.string(),
    status: z.enum(['firing', 'resolved']),
    severity: AlertSeverity,
    summary: z.string(),
    at: Timestamp,
    desktop: z.boolean(),
  }),
} as const;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;

export const ApiErrorCode = z.enum(['invalid_input', 'not_found', 'conflict', 'unavailable', 'forbidden', 'internal']);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;

export const ApiError = z.object({
  code: ApiErrorCode,
  message: z.string(),
  /** For invalid_input: each problem with its path. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /**
   * For unavailable: what an operator must do before the store answers again (migrate, free disk, fix
   * credentials, restart); absent when the outage passes by itself. The message says it too.
   */
  action: z.string().optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/** The envelope every host answers with. */
export const ApiResponse = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiError }),
]);
export type ApiResponse = z.infer<typeof ApiResponse>;

/** What the renderer and CLI hold: one typed client, whichever host is behind it. */
export interface OpsdeckClient {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** What Electron's preload exposes as `window.opsdeck`: the raw transport an OpsdeckClient is built on. */
export interface OpsdeckBridge {
  call(name: CallName, input: unknown): Promise<ApiResponse>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}
