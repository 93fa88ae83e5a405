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
import { migrationStatusOf } from '../migrate.ts';
import { PostgresAdministration } from './administration.ts';
import { PostgresControlPlane } from './controlPlane.ts';
import { closedError } from './db.ts';
import type { PgDb } from './db.ts';
import { enqueueJobs } from './enqueue.ts';
import { GatedClaims } from './gatedClaim.ts';
import { PostgresJobActions } from './jobActions.ts';
import { extendJobLeases, reclaimExpiredJobs, settledEarlier, settleJobs } from './jobs.ts';
import { LeaseBook } from './leases.ts';
import { postgresMigrationAdapter } from './migrations.ts';
import { PostgresOrchestration } from './orchestration.ts';
import * as reads from './reads.ts';
import * as backlog from './backlogReads.ts';
import * as rollupHours from './rollupHours.ts';
import { rollupsByService } from './serviceRollups.ts';
import type { Claim } from './rows.ts';
import { PgSignals } from './signals.ts';
import type { StoreDiagnostics } from '../../../shared/diagnosis.ts';
import { storeDiagnostics } from '../diagnostics.ts';
import { connectionRoom } from './connectionRoom.ts';
import { pgIntegrity } from './integrity.ts';
import { urlPasswords } from '../location.ts';
import type { DrainEnded } from '../drain.ts';

/**
 * The PostgreSQL store: a pool of connections to the schema `jobs`. This facade only delegates to the
 * concern that does the work, keeps the lease book, and tells listeners what changed; operator actions
 * on jobs and the dead-letter queue it forwards to jobActions.ts, control, breakers, workers and audit to
 * controlPlane.ts, schedules and workflow runs to orchestration.ts, alerts, breaker tuning, API keys and
 * upkeep to administration.ts.
 */
export class PostgresStore implements Store {
  readonly dialect = 'postgres';
  readonly location: string;
  readonly #db: PgDb;
  readonly #signals: PgSignals;
  readonly #leases = new LeaseBook();
  readonly #gated = new GatedClaims();
  readonly #jobActions: PostgresJobActions;
  readonly #controlPlane: PostgresControlPlane;
  readonly #orchestration: PostgresOrchestration;
  readonly #administration: PostgresAdministration;
  #closed = false;

  constructor(db: PgDb) {
    this.#db = db;
    this.location = db.location;
    this.#signals = new PgSignals(db);
    this.#jobActions = new PostgresJobActions(() => this.#open, this.#signals);
    this.#controlPlane = new PostgresControlPlane(() => this.#open, this.#signals);
    this.#orchestration = new PostgresOrchestration(() => this.#open, this.#signals);
    this.#administration = new PostgresAdministration(() => this.#open, this.#signals);
  }

  get #open(): PgDb {
    if (this.#closed) throw closedError(this.location);
    return this.#db;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#signals.close();
    await this.#db.close();
  }

  async diagnostics(): Promise<StoreDiagnostics> {
    return storeDiagnostics(this.#open.url);
  }

  connectionSecrets(): string[] {
    return urlPasswords(this.#db.url);
  }

  poolUse(): PoolUse | null {
    return this.#open.poolUse();
  }

  takePoolPeaks(): WorkerPool | null {
    return this.#open.takePoolPeaks();
  }

  async connectionRoom(): Promise<ConnectionRoom | null> {
    return connectionRoom(this.#open);
  }

  integrity(): Promise<IntegrityReport> {
    return pgIntegrity(this.#open);
  }

  // ---- jobs: the hot path ----------------------------------------------------------------------

  async enqueue(jobs: NewJob[]): Promise<EnqueueResult[]> {
    const results = await enqueueJobs(this.#open, jobs);
    if (results.some((r) => r.created)) this.#signals.jobsChanged(true);
    return results;
  }

  async claim(request: ClaimRequest): Promise<ClaimedJob[]> {
    return this.#gated.claim(this.#open, request, (claim) => this.#leased(claim));
  }

  #leased({ leaseId, jobs }: Claim): ClaimedJob[] {
    if (leaseId !== null) this.#leases.opened(leaseId, jobs.map((j) => j.attempt_id));
    if (jobs.length > 0) this.#signals.jobsChanged(false);
    return jobs;
  }

  async extendLeases(workerId: string, jobIds: number[], leaseMs: number): Promise<number[]> {
    return extendJobLeases(this.#open, workerId, jobIds, leaseMs);
  }

  async settle(settlements: Settlement[]): Promise<number[]> {
    const doneLeases = this.#leases.closing(settlements.map((s) => s.attemptId));
    const { landed, readied } = await settleJobs(this.#open, settlements, doneLeases);
    if (landed.length > 0) this.#signals.jobsChanged(readied);
    return landed;
  }

  async settledEarlier(settlements: Settlement[]): Promise<number[]> {
    return settledEarlier(this.#open, settlements);
  }

  async reclaimExpired(now?: Date, settling: readonly number[] = [], owner?: string): Promise<ReclaimResult> {
    const result = await reclaimExpiredJobs(this.#open, now, settling, owner);
    if (result.retried.length + result.failed.length > 0) this.#signals.jobsChanged(result.retried.length > 0);
    return result;
  }

  // ---- jobs: reads -----------------------------------------------------------------------------

  async getJob(idOrIdentifier: number | string): Promise<Job | null> {
    return reads.getJob(this.#open, idOrIdentifier);
  }

  async listAttempts(jobId: number): Promise<Attempt[]> {
    return reads.listAttempts(this.#open, jobId);
  }

  async listJobs(filter: JobFilter, page: PageRequest): Promise<Page<Job>> {
    return reads.listJobs(this.#open, filter, page);
  }

  async countJobs(filter: JobFilter): Promise<number> {
    return reads.countJobs(this.#open, filter);
  }

  async countsByQueueAndStatus(): Promise<QueueCount[]> {
    return reads.countsByQueueAndStatus(this.#open);
  }

  async pendingByService(): Promise<Record<string, number>> {
    return reads.pendingByService(this.#open);
  }

  async deadLetterCount(): Promise<number> {
    return reads.deadLetterCount(this.#open);
  }

  async deadLettersByQueue(): Promise<Record<string, number>> {
    return reads.deadLettersByQueue(this.#open);
  }

  async runningByService(): Promise<Record<string, number>> {
    return reads.runningByService(this.#open);
  }

  async throughput(since: Date, bucketSeconds: number): Promise<ThroughputBucket[]> {
    return reads.throughput(this.#open, since, bucketSeconds);
  }

  async latencyByType(since: Date): Promise<LatencyByType[]> {
    return reads.latencyByType(this.#open, since);
  }

  async rollupsByType(since: Date): Promise<TypeRollups> {
    return rollupHours.rollupsByType(this.#open, since);
  }

  async rollupsByService(since: Date, service: string | null): Promise<ServiceRollups> {
    return rollupsByService(this.#open, since, service);
  }

  async oldestPendingRunAt(): Promise<string | null> {
    return backlog.oldestPendingRunAt(this.#open);
  }

  async oldestPendingByQueue(): Promise<QueueOldest[] | null> {
    return backlog.oldestPendingByQueue(this.#open);
  }

  async oldestPendingOf(queues: readonly string[]): Promise<QueueOldestOf[]> {
    return backlog.oldestPendingOf(this.#open, queues);
  }

  async scheduledCount(limit: number): Promise<number> {
    return backlog.scheduledCount(this.#open, limit);
  }

  async scheduledByQueue(limit: number): Promise<Record<string, number>> {
    return backlog.scheduledByQueue(this.#open, limit);
  }

  async stuckCount(): Promise<number> {
    return reads.stuckCount(this.#open);
  }

  async cancelRequested(workerId: string): Promise<number[]> {
    return reads.cancelRequested(this.#open, workerId);
  }

  async leasedAttempts(workerId: string): Promise<LeasedAttempt[]> {
    return reads.leasedAttempts(this.#open, workerId);
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
    return migrationStatusOf(postgresMigrationAdapter(this.#open));
  }

  subscribe(listener: (signal: StoreSignal) => void): () => void {
    if (this.#closed) return () => undefined;
    return this.#signals.subscribe(listener);
  }

  // ---- schedules and workflow runs: orchestration.ts -------------------------------------------

  async syncRegistrySchedules(list: ScheduleWrite[], actor: Actor): Promise<ScheduleSync> { return this.#orchestration.syncRegistrySchedules(list, actor); }
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
  async sumRollupHours(through: Date, maxHours: number): Promise<HoursSummed> { return rollupHours.sumRollupHours(this.#open, through, maxHours); }
  async clock(): Promise<Date> { return rollupHours.serverClock(this.#open); }
  async reclaimSpace(maxBytes: number): Promise<SpaceReport> { return this.#administration.reclaimSpace(maxBytes); }
}
