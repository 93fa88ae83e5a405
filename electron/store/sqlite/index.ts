import type {
  Actor,
  Attempt,
  AuditEntry,
  BreakerMode,
  BreakerRecord,
  ControlState,
  DlqGroup,
  DlqSelector,
  Job,
  JobFilter,
  LatencyByType,
  QueueCount,
  ThroughputBucket,
  WorkerInfo,
  WorkerPool,
} from '../../../shared/domain.ts';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import type { FailureGroup } from '../../../shared/views.ts';
import type { DlqRetried, DlqRetryPreview } from '../failureStore.ts';
import type { ApiKeyRecord } from '../../../shared/apiKey.ts';
import type { BreakerTuning } from '../../../shared/breakerTuning.ts';
import type { RateLimitChange, RateLimitTuning } from '../../../shared/rateLimitTuning.ts';
import type { Tuned } from '../tuningTables.ts';
import type { BreakerOverrides } from '../../../shared/registry.ts';
import type { ScheduleFire, StoredSchedule } from '../../../shared/schedule.ts';
import type { DuePosition, SchedulePauseChange } from '../scheduleStore.ts';
import type { RateUse, ServiceGate, ServicePause } from '../../../shared/rateLimit.ts';
import type { AlertEvent, AlertRule, AlertState, StoredAlertRule } from '../../../shared/alerts.ts';
import type { WorkflowRun, WorkflowRunDetail } from '../../../shared/workflow.ts';
import type {
  NewWorkflowRun,
  RunningRunFilter,
  RunningRuns,
  StuckAfters,
  WorkflowCancelled,
  WorkflowRetried,
  WorkflowRunCount,
  WorkflowRunFilter,
  WorkflowRunStarted,
  WorkflowRunTally,
} from '../workflowTypes.ts';
import type {
  AlertDelivery,
  AlertTransition,
  EvaluatedRule,
  ServiceOutcomes,
  ClaimRequest,
  CountDrift,
  MaintenanceHolder,
  PruneBatch,
  PruneEstimate,
  SpaceReport,
  ServiceRollups,
  TypeRollups,
  HoursSummed,
  ClaimedJob,
  EnqueueResult,
  FireOutcome,
  FirePlan,
  LeasedAttempt,
  FireWork,
  JobCancel,
  MigrationStatus,
  NewAuditEntry,
  NewJob,
  Page,
  PageRequest,
  PoolUse,
  ConnectionRoom,
  IntegrityReport,
  QueueOldest,
  QueueOldestOf,
  ReclaimResult,
  ScheduleSync,
  ScheduleWrite,
  Settlement,
  Store,
  StoreSignal,
} from '../store.ts';
import type { NewApiKey, StoredApiKey } from '../apiKeyStore.ts';
import type { BreakerTransition } from '../breakerStore.ts';
import type { ControlChange, EmergencyStopChange } from '../controlStore.ts';
import type { WorkerBeat, WorkerForget, WorkerRegistration } from '../workerStore.ts';
import { SqliteAdministration } from './administration.ts';
import type { Checkpointer } from './checkpointer.ts';
import { SqliteControlPlane } from './controlPlane.ts';
import type { SqliteDb } from './db.ts';
import { SqliteGates } from './gates.ts';
import { SqliteJobActions } from './jobActions.ts';
import { SqliteJobs } from './jobs.ts';
import { SqliteOrchestration } from './orchestration.ts';
import { SqliteReads } from './reads.ts';
import { SqliteRollupHours } from './rollupHours.ts';
import { SqliteServiceRollups } from './serviceRollups.ts';
import { SqliteSignals } from './signals.ts';
import type { StoreDiagnostics } from '../../../shared/diagnosis.ts';
import { storeDiagnostics } from '../diagnostics.ts';
import { quickCheck } from './integrity.ts';
import type { DrainEnded } from '../drain.ts';

/**
 * The SQLite store: one better-sqlite3 connection, every write in one BEGIN IMMEDIATE transaction. This
 * facade only delegates to the concern that does the work and tells listeners what changed; operator
 * actions on jobs and the dead-letter queue it forwards to jobActions.ts, control, breakers, workers and
 * audit to controlPlane.ts, schedules and workflow runs to orchestration.ts, alerts, breaker tuning, API
 * keys and upkeep to administration.ts.
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  readonly #db: SqliteDb;
  readonly #statusOf: () => Promise<MigrationStatus>;
  readonly #checkpointer: Checkpointer | null;
  readonly #jobs: SqliteJobs;
  readonly #reads: SqliteReads;
  readonly #rollupHours: SqliteRollupHours;
  readonly #serviceRollups: SqliteServiceRollups;
  readonly #jobActions: SqliteJobActions;
  readonly #controlPlane: SqliteControlPlane;
  readonly #signals: SqliteSignals;
  readonly #gates: SqliteGates;
  readonly #orchestration: SqliteOrchestration;
  readonly #administration: SqliteAdministration;

  constructor(db: SqliteDb, migrationStatus: () => Promise<MigrationStatus>, checkpointer: Checkpointer | null) {
    this.#db = db;
    this.location = db.location;
    this.#statusOf = migrationStatus;
    this.#checkpointer = checkpointer;
    this.#gates = new SqliteGates(db);
    this.#jobs = new SqliteJobs(db, this.#gates);
    this.#rollupHours = new SqliteRollupHours(db);
    this.#reads = new SqliteReads(db, this.#rollupHours);
    this.#serviceRollups = new SqliteServiceRollups(db);
    this.#signals = new SqliteSignals(db);
    this.#jobActions = new SqliteJobActions(db, this.#reads, this.#signals);
    this.#controlPlane = new SqliteControlPlane(db, this.#gates, this.#signals);
    this.#orchestration = new SqliteOrchestration(db, this.#signals);
    this.#administration = new SqliteAdministration(db, this.#signals);
  }

  async close(): Promise<void> {
    if (this.#db.closed) return;
    this.#db.markClosed();
    this.#signals.close();
    await this.#db.closeThread();
    await this.#checkpointer?.stop();
    this.#db.closeConnection();
  }

  diagnostics(): Promise<StoreDiagnostics> {
    return storeDiagnostics(this.location);
  }

  connectionSecrets(): string[] {
    return [];
  }

  /** One connection, no pool: nothing to run out of. */
  poolUse(): PoolUse | null {
    return null;
  }

  takePoolPeaks(): WorkerPool | null {
    return null;
  }

  async connectionRoom(): Promise<ConnectionRoom | null> {
    return null;
  }

  async integrity(): Promise<IntegrityReport> {
    if (this.location === ':memory:') return { ok: true, warning: false, detail: 'an in-memory database: no file to check' };
    return quickCheck(this.location);
  }

  // ---- jobs: the hot path ----------------------------------------------------------------------

  async enqueue(jobs: NewJob[]): Promise<EnqueueResult[]> {
    const results = await this.#db.patient(() => this.#jobs.enqueue(jobs));
    if (results.some((r) => r.created)) this.#signals.jobsChanged(true);
    return results;
  }

  async claim(request: ClaimRequest): Promise<ClaimedJob[]> {
    const claimed = await this.#db.patient(() => this.#jobs.claim(request));
    if (claimed.length > 0) this.#signals.jobsChanged(false);
    return claimed;
  }

  async extendLeases(workerId: string, jobIds: number[], leaseMs: number): Promise<number[]> {
    return this.#db.patient(() => this.#jobs.extendLeases(workerId, jobIds, leaseMs));
  }

  async settle(settlements: Settlement[]): Promise<number[]> {
    const { landed, readied } = await this.#db.patient(() => this.#jobs.settle(settlements));
    if (landed.length > 0) this.#signals.jobsChanged(readied);
    return landed;
  }

  async settledEarlier(settlements: Settlement[]): Promise<number[]> {
    return this.#db.patient(() => this.#jobs.settledEarlier(settlements));
  }

  async reclaimExpired(at: Date = new Date(), settling: readonly number[] = [], owner?: string): Promise<ReclaimResult> {
    const result = await this.#db.patient(() => this.#jobs.reclaimExpired(at, settling, owner ?? null));
    if (result.retried.length + result.failed.length > 0) this.#signals.jobsChanged(result.retried.length > 0);
    return result;
  }

  // ---- jobs: reads -----------------------------------------------------------------------------

  async getJob(idOrIdentifier: number | string): Promise<Job | null> {
    return this.#db.patient(() => this.#reads.getJob(idOrIdentifier));
  }

  async listAttempts(jobId: number): Promise<Attempt[]> {
    return this.#db.patient(() => this.#reads.listAttempts(jobId));
  }

  async listJobs(filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
    return this.#db.patient(() => this.#reads.listJobs(filter, page));
  }

  async countJobs(filter: JobFilter): Promise<number> {
    return this.#db.patient(() => this.#reads.countJobs(filter));
  }

  async countsByQueueAndStatus(): Promise<QueueCount[]> {
    return this.#db.patient(() => this.#reads.countsByQueueAndStatus());
  }

  async pendingByService(): Promise<Record<string, number>> {
    return this.#db.patient(() => this.#reads.pendingByService());
  }

  async deadLetterCount(): Promise<number> {
    return this.#db.patient(() => this.#reads.deadLetterCount());
  }

  async deadLettersByQueue(): Promise<Record<string, number>> {
    return this.#db.patient(() => this.#reads.deadLettersByQueue());
  }

  async runningByService(): Promise<Record<string, number>> {
    return this.#db.patient(() => this.#reads.runningByService());
  }

  async throughput(since: Date, bucketSeconds: number): Promise<ThroughputBucket[]> {
    return this.#reads.throughput(since, bucketSeconds);
  }

  async latencyByType(since: Date): Promise<LatencyByType[]> {
    return this.#reads.latencyByType(since);
  }

  async rollupsByType(since: Date): Promise<TypeRollups> {
    return this.#db.patient(() => this.#rollupHours.rollupsByType(since));
  }

  async rollupsByService(since: Date, service: string | null): Promise<ServiceRollups> {
    return this.#serviceRollups.rollupsByService(since, service);
  }

  async oldestPendingRunAt(): Promise<string | null> {
    return this.#db.patient(() => this.#reads.oldestPendingRunAt());
  }

  async oldestPendingByQueue(): Promise<QueueOldest[] | null> {
    return this.#db.patient(() => this.#reads.oldestPendingByQueue());
  }

  async oldestPendingOf(queues: readonly string[]): Promise<QueueOldestOf[]> {
    return this.#db.patient(() => this.#reads.oldestPendingOf(queues));
  }

  async scheduledCount(limit: number): Promise<number> {
    return this.#db.patient(() => this.#reads.scheduledCount(limit));
  }

  async scheduledByQueue(limit: number): Promise<Record<string, number>> {
    return this.#db.patient(() => this.#reads.scheduledByQueue(limit));
  }

  async stuckCount(): Promise<number> {
    return this.#db.patient(() => this.#reads.stuckCount());
  }

  async cancelRequested(workerId: string): Promise<number[]> {
    return this.#db.patient(() => this.#reads.cancelRequested(workerId));
  }

  async leasedAttempts(workerId: string): Promise<LeasedAttempt[]> {
    return this.#db.patient(() => this.#reads.leasedAttempts(workerId));
  }

  // ---- operator actions on jobs, failures and the dead-letter queue: jobActions.ts --------------

  async cancelJob(jobId: number, actor: Actor, reason: string | null): Promise<JobCancel | null> { return this.#jobActions.cancelJob(jobId, actor, reason); }
  async retryJob(jobId: number, actor: Actor): Promise<Job | null> { return this.#jobActions.retryJob(jobId, actor); }
  async failRunningJob(jobId: number, leaseOwner: string | null, actor: Actor, reason: string): Promise<Job | null> {
    return this.#jobActions.failRunningJob(jobId, leaseOwner, actor, reason);
  }
  async recentFailures(since: Date, service: string | null, limit: number): Promise<{ groups: FailureGroup[]; total: number }> {
    return this.#jobActions.recentFailures(since, service, limit);
  }
  async dlqGroups(filter: { search?: string; service?: string }): Promise<DlqGroup[]> { return this.#jobActions.dlqGroups(filter); }
  async dlqCount(selector: DlqSelector): Promise<number> { return this.#jobActions.dlqCount(selector); }
  async dlqList(selector: DlqSelector, page: PageRequest): Promise<Page<Job>> { return this.#jobActions.dlqList(selector, page); }
  async dlqRetry(selector: DlqSelector, actor: Actor): Promise<DlqRetried> { return this.#jobActions.dlqRetry(selector, actor); }
  async dlqRetryPreview(selector: DlqSelector): Promise<DlqRetryPreview> { return this.#jobActions.dlqRetryPreview(selector); }
  async dlqResolve(selector: DlqSelector, note: string, actor: Actor): Promise<number> { return this.#jobActions.dlqResolve(selector, note, actor); }
  async purgeResolvedCount(before: Date): Promise<number> { return this.#jobActions.purgeResolvedCount(before); }
  async purgeResolved(before: Date, actor: Actor): Promise<number> { return this.#jobActions.purgeResolved(before, actor); }

  // ---- control, breakers, service pauses, workers and audit: controlPlane.ts --------------------

  async getControl(): Promise<ControlState> { return this.#controlPlane.getControl(); }
  async setEmergencyStop(engaged: boolean, actor: Actor, reason: string | null): Promise<EmergencyStopChange> {
    return this.#controlPlane.setEmergencyStop(engaged, actor, reason);
  }
  async setSafeMode(engaged: boolean, actor: Actor, reason: string | null, drainSeconds?: number): Promise<ControlChange> {
    return this.#controlPlane.setSafeMode(engaged, actor, reason, drainSeconds);
  }
  async endDrain(): Promise<DrainEnded | null> { return this.#controlPlane.endDrain(); }
  async setQueuePaused(queue: string, paused: boolean, actor: Actor, reason: string | null): Promise<ControlChange> {
    return this.#controlPlane.setQueuePaused(queue, paused, actor, reason);
  }
  async listBreakers(): Promise<BreakerRecord[]> { return this.#controlPlane.listBreakers(); }
  async getBreaker(service: string): Promise<BreakerRecord | null> { return this.#controlPlane.getBreaker(service); }
  async saveBreaker(record: BreakerRecord, transition: BreakerTransition | null): Promise<boolean> { return this.#controlPlane.saveBreaker(record, transition); }
  async setBreakerModeIfItChanges(service: string, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): Promise<BreakerRecord | null> {
    return this.#controlPlane.setBreakerModeIfItChanges(service, mode, actor, reason);
  }
  async rateUse(gates: ServiceGate[]): Promise<RateUse[]> { return this.#controlPlane.rateUse(gates); }
  async pauseService(service: string, until: Date, reason: string): Promise<void> { return this.#controlPlane.pauseService(service, until, reason); }
  async listServicePauses(): Promise<ServicePause[]> { return this.#controlPlane.listServicePauses(); }
  async registerWorker(worker: WorkerRegistration): Promise<void> { return this.#controlPlane.registerWorker(worker); }
  async heartbeat(workerId: string, beat: WorkerBeat): Promise<boolean> { return this.#controlPlane.heartbeat(workerId, beat); }
  async listWorkers(lostAfterMs: number): Promise<WorkerInfo[]> { return this.#controlPlane.listWorkers(lostAfterMs); }
  async forgetWorker(id: string, lostAfterMs: number, actor: Actor): Promise<WorkerForget | null> { return this.#controlPlane.forgetWorker(id, lostAfterMs, actor); }
  async audit(entry: NewAuditEntry): Promise<void> { return this.#controlPlane.audit(entry); }
  async listAudit(filter: { action?: string; search?: string }, page: PageRequest): Promise<Page<AuditEntry>> { return this.#controlPlane.listAudit(filter, page); }

  // ---- schema and signals ----------------------------------------------------------------------

  async migrationStatus(): Promise<MigrationStatus> {
    return this.#statusOf();
  }

  subscribe(listener: (signal: StoreSignal) => void): () => void {
    if (this.#db.closed) return () => undefined;
    return this.#signals.subscribe(listener);
  }

  // ---- schedules and workflow runs: orchestration.ts -------------------------------------------

  async syncRegistrySchedules(schedules: ScheduleWrite[], actor: Actor): Promise<ScheduleSync> { return this.#orchestration.syncRegistrySchedules(schedules, actor); }
  async listSchedules(): Promise<StoredSchedule[]> { return this.#orchestration.listSchedules(); }
  async getSchedule(name: string): Promise<StoredSchedule | null> { return this.#orchestration.getSchedule(name); }
  async addSchedule(schedule: ScheduleWrite, actor: Actor): Promise<StoredSchedule | null> { return this.#orchestration.addSchedule(schedule, actor); }
  async removeSchedule(name: string, actor: Actor): Promise<StoredSchedule | null> { return this.#orchestration.removeSchedule(name, actor); }
  async setSchedulePaused(name: string, paused: boolean, nextFireAt: string | null, actor: Actor, reason: string | null): Promise<SchedulePauseChange | null> {
    return this.#orchestration.setSchedulePaused(name, paused, nextFireAt, actor, reason);
  }
  async dueSchedules(now: Date, limit: number, after?: DuePosition): Promise<StoredSchedule[]> { return this.#orchestration.dueSchedules(now, limit, after); }
  async fireSchedule(plan: FirePlan): Promise<FireOutcome> { return this.#orchestration.fireSchedule(plan); }
  async runScheduleNow(name: string, work: FireWork, actor: Actor): Promise<ScheduleFire | null> { return this.#orchestration.runScheduleNow(name, work, actor); }
  async listScheduleFires(name: string, page: PageRequest): Promise<Page<ScheduleFire>> { return this.#orchestration.listScheduleFires(name, page); }
  async pruneScheduleFires(before: Date, maxRows: number): Promise<number> { return this.#orchestration.pruneScheduleFires(before, maxRows); }
  async startWorkflowRun(run: NewWorkflowRun, actor: Actor): Promise<WorkflowRunStarted> { return this.#orchestration.startWorkflowRun(run, actor); }
  async getWorkflowRun(idOrIdentifier: number | string): Promise<WorkflowRunDetail | null> { return this.#orchestration.getWorkflowRun(idOrIdentifier); }
  async listWorkflowRuns(filter: WorkflowRunFilter, page: PageRequest): Promise<Page<WorkflowRun>> { return this.#orchestration.listWorkflowRuns(filter, page); }
  async runningWorkflowRuns(limit: number, filter?: RunningRunFilter): Promise<WorkflowRun[]> { return this.#orchestration.runningWorkflowRuns(limit, filter); }
  async stuckWorkflowRuns(now: Date, held: StuckAfters, perWorkflow: number): Promise<WorkflowRun[]> { return this.#orchestration.stuckWorkflowRuns(now, held, perWorkflow); }
  async stuckRunsByWorkflow(now: Date, held: StuckAfters): Promise<RunningRuns[]> { return this.#orchestration.stuckRunsByWorkflow(now, held); }
  async workflowRunTally(since: Date, workflow: string | null): Promise<WorkflowRunTally> { return this.#orchestration.workflowRunTally(since, workflow); }
  async workflowRunCounts(since: Date): Promise<WorkflowRunCount[]> { return this.#orchestration.workflowRunCounts(since); }
  async runningRunsByWorkflow(): Promise<RunningRuns[]> { return this.#orchestration.runningRunsByWorkflow(); }
  async retryWorkflowRun(runId: number, actor: Actor): Promise<WorkflowRetried | null> { return this.#orchestration.retryWorkflowRun(runId, actor); }
  async cancelWorkflowRun(runId: number, actor: Actor, reason: string | null): Promise<WorkflowCancelled | null> { return this.#orchestration.cancelWorkflowRun(runId, actor, reason); }

  // ---- alerts, breaker tuning, API keys and upkeep: administration.ts --------------------------

  async outcomesByService(since: Date): Promise<ServiceOutcomes[]> { return this.#administration.outcomesByService(since); }
  async listAlertStates(): Promise<AlertState[]> { return this.#administration.listAlertStates(); }
  async recordAlertEvaluation(results: EvaluatedRule[], at: Date): Promise<AlertTransition[]> { return this.#administration.recordAlertEvaluation(results, at); }
  async recordAlertDelivery(delivery: AlertDelivery): Promise<void> { return this.#administration.recordAlertDelivery(delivery); }
  async listAlertEvents(filter: { rule?: string }, page: PageRequest): Promise<Page<AlertEvent>> { return this.#administration.listAlertEvents(filter, page); }
  async ackAlert(rule: string, note: string, actor: Actor): Promise<AlertState | null> { return this.#administration.ackAlert(rule, note, actor); }
  async listAlertRules(): Promise<StoredAlertRule[]> { return this.#administration.listAlertRules(); }
  async saveAlertRule(rule: AlertRule, actor: Actor): Promise<StoredAlertRule> { return this.#administration.saveAlertRule(rule, actor); }
  async deleteAlertRule(name: string, actor: Actor): Promise<boolean> { return this.#administration.deleteAlertRule(name, actor); }
  async silenceAlert(rule: string, until: Date | null, actor: Actor, reason: string | null): Promise<AlertState | null> {
    return this.#administration.silenceAlert(rule, until, actor, reason);
  }
  async listBreakerTunings(): Promise<BreakerTuning[]> { return this.#administration.listBreakerTunings(); }
  async tuneBreaker(service: string, settings: BreakerOverrides | null, actor: Actor, reason: string | null): Promise<Tuned<BreakerTuning>> {
    return this.#administration.tuneBreaker(service, settings, actor, reason);
  }
  async listRateLimitTunings(): Promise<RateLimitTuning[]> { return this.#administration.listRateLimitTunings(); }
  async tuneRateLimit(service: string, change: RateLimitChange, registry: ServiceGate | null, actor: Actor, reason: string | null): Promise<Tuned<RateLimitTuning>> {
    return this.#administration.tuneRateLimit(service, change, registry, actor, reason);
  }
  async createApiKey(key: NewApiKey, actor: Actor): Promise<ApiKeyRecord | null> { return this.#administration.createApiKey(key, actor); }
  async listApiKeys(): Promise<ApiKeyRecord[]> { return this.#administration.listApiKeys(); }
  async findApiKey(keyId: string): Promise<StoredApiKey | null> { return this.#administration.findApiKey(keyId); }
  async touchApiKey(keyId: string): Promise<void> { return this.#administration.touchApiKey(keyId); }
  async revokeApiKey(name: string, actor: Actor): Promise<ApiKeyRecord | null> { return this.#administration.revokeApiKey(name, actor); }
  async checkCounts(repair: boolean): Promise<CountDrift[]> { return this.#administration.checkCounts(repair); }
  async takeMaintenance(task: string, owner: string, ttlMs: number): Promise<boolean> { return this.#administration.takeMaintenance(task, owner, ttlMs); }
  async releaseMaintenance(task: string, owner: string): Promise<void> { return this.#administration.releaseMaintenance(task, owner); }
  async maintenanceHolder(task: string): Promise<MaintenanceHolder | null> { return this.#administration.maintenanceHolder(task); }
  async pruneEstimate(cutoffs: PruneCutoffs): Promise<PruneEstimate> { return this.#administration.pruneEstimate(cutoffs); }
  async pruneBatch(cutoffs: PruneCutoffs, afterId: number, size: number): Promise<PruneBatch> { return this.#administration.pruneBatch(cutoffs, afterId, size); }
  async pruneHistory(before: Date, maxRows: number): Promise<number> { return this.#administration.pruneHistory(before, maxRows); }
  async sumRollupHours(through: Date, maxHours: number): Promise<HoursSummed> { return this.#db.patient(() => this.#rollupHours.sum(through, maxHours)); }
  async clock(): Promise<Date> { return new Date(); }
  async reclaimSpace(maxBytes: number): Promise<SpaceReport> { return this.#administration.reclaimSpace(maxBytes); }
}
