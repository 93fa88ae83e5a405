import type { Actor } from '../../../shared/domain.ts';
import type { AlertEvent, AlertRule, AlertState, StoredAlertRule } from '../../../shared/alerts.ts';
import type { ApiKeyRecord } from '../../../shared/apiKey.ts';
import type { BreakerTuning } from '../../../shared/breakerTuning.ts';
import type { BreakerOverrides } from '../../../shared/registry.ts';
import type { ServiceGate } from '../../../shared/rateLimit.ts';
import type { RateLimitChange, RateLimitTuning } from '../../../shared/rateLimitTuning.ts';
import type { PruneCutoffs } from '../../../shared/retention.ts';
import type {
  AlertDelivery,
  AlertTransition,
  CountDrift,
  EvaluatedRule,
  Page,
  PageRequest,
  MaintenanceHolder,
  PruneBatch,
  PruneEstimate,
  ServiceOutcomes,
  SpaceReport,
} from '../store.ts';
import type { NewApiKey, StoredApiKey } from '../apiKeyStore.ts';
import { SqliteAlertRules } from './alertRules.ts';
import { SqliteAlerts } from './alerts.ts';
import { SqliteApiKeys } from './apiKeys.ts';
import { SqliteTunings } from './tunings.ts';
import type { SqliteDb } from './db.ts';
import { SqliteMaintenance } from './maintenance.ts';
import { SqliteRetention } from './retention.ts';
import type { SqliteSignals } from './signals.ts';
import { BREAKER_TUNINGS, RATE_LIMIT_TUNINGS, rateLimitTuningChange, settingsChange, type Tuned } from '../tuningTables.ts';

/**
 * What the SQLite store keeps for operators to set up and look after: alerts and their rules, API keys,
 * breaker and rate limit tuning, and the store's own upkeep (count checks, pruning, space). The facade (index.ts)
 * forwards to it; each call goes to the concern that does the work, and changes are announced.
 */
export class SqliteAdministration {
  readonly #db: SqliteDb;
  readonly #signals: SqliteSignals;
  readonly #alerts: SqliteAlerts;
  readonly #alertRules: SqliteAlertRules;
  readonly #apiKeys: SqliteApiKeys;
  readonly #breakerTunings: SqliteTunings<BreakerTuning>;
  readonly #rateLimitTunings: SqliteTunings<RateLimitTuning>;
  readonly #maintenance: SqliteMaintenance;
  readonly #retention: SqliteRetention;

  constructor(db: SqliteDb, signals: SqliteSignals) {
    this.#db = db;
    this.#signals = signals;
    this.#alerts = new SqliteAlerts(db);
    this.#alertRules = new SqliteAlertRules(db);
    this.#apiKeys = new SqliteApiKeys(db);
    this.#breakerTunings = new SqliteTunings(db, BREAKER_TUNINGS);
    this.#rateLimitTunings = new SqliteTunings(db, RATE_LIMIT_TUNINGS);
    this.#maintenance = new SqliteMaintenance(db);
    this.#retention = new SqliteRetention(db);
  }

  // ---- alerts ----------------------------------------------------------------------------------

  async outcomesByService(since: Date): Promise<ServiceOutcomes[]> {
    return this.#db.patient(() => this.#alerts.outcomes(since));
  }

  async listAlertStates(): Promise<AlertState[]> {
    return this.#db.patient(() => this.#alerts.states());
  }

  async recordAlertEvaluation(results: EvaluatedRule[], at: Date): Promise<AlertTransition[]> {
    return this.#db.patient(() => this.#alerts.record(results, at));
  }

  async recordAlertDelivery(delivery: AlertDelivery): Promise<void> {
    await this.#db.patient(() => this.#alerts.delivery(delivery));
  }

  async listAlertEvents(filter: { rule?: string }, page: PageRequest): Promise<Page<AlertEvent>> {
    return this.#db.patient(() => this.#alerts.events(filter, page));
  }

  async ackAlert(rule: string, note: string, actor: Actor): Promise<AlertState | null> {
    return this.#db.patient(() => this.#alerts.ack(rule, note, actor));
  }

  async listAlertRules(): Promise<StoredAlertRule[]> {
    return this.#db.patient(() => this.#alertRules.list());
  }

  async saveAlertRule(rule: AlertRule, actor: Actor): Promise<StoredAlertRule> {
    return this.#db.patient(() => this.#alertRules.save(rule, actor));
  }

  async deleteAlertRule(name: string, actor: Actor): Promise<boolean> {
    return this.#db.patient(() => this.#alertRules.remove(name, actor));
  }

  async silenceAlert(rule: string, until: Date | null, actor: Actor, reason: string | null): Promise<AlertState | null> {
    return this.#db.patient(() => this.#alerts.silence(rule, until, actor, reason));
  }

  // ---- breaker tuning --------------------------------------------------------------------------

  async listBreakerTunings(): Promise<BreakerTuning[]> {
    return this.#db.patient(() => this.#breakerTunings.list());
  }

  async tuneBreaker(service: string, settings: BreakerOverrides | null, actor: Actor, reason: string | null): Promise<Tuned<BreakerTuning>> {
    const tuned = await this.#db.patient(() => this.#breakerTunings.tune(service, settingsChange(settings), actor, reason));
    if (tuned.changed) this.#signals.emit('breakers');
    return tuned;
  }

  // ---- rate limit tuning -----------------------------------------------------------------------

  async listRateLimitTunings(): Promise<RateLimitTuning[]> {
    return this.#db.patient(() => this.#rateLimitTunings.list());
  }

  async tuneRateLimit(service: string, change: RateLimitChange, registry: ServiceGate | null, actor: Actor, reason: string | null): Promise<Tuned<RateLimitTuning>> {
    const tuning = await this.#db.patient(() => this.#rateLimitTunings.tune(service, rateLimitTuningChange(service, change, registry), actor, reason));
    // Workers hear it with the breakers: both decide which jobs a claim may take.
    if (tuning.changed) this.#signals.emit('breakers');
    return tuning;
  }

  // ---- API keys --------------------------------------------------------------------------------

  async createApiKey(key: NewApiKey, actor: Actor): Promise<ApiKeyRecord | null> {
    return this.#db.patient(() => this.#apiKeys.create(key, actor));
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.#db.patient(() => this.#apiKeys.list());
  }

  async findApiKey(keyId: string): Promise<StoredApiKey | null> {
    return this.#db.patient(() => this.#apiKeys.find(keyId));
  }

  async touchApiKey(keyId: string): Promise<void> {
    await this.#db.patient(() => this.#apiKeys.touch(keyId));
  }

  async revokeApiKey(name: string, actor: Actor): Promise<ApiKeyRecord | null> {
    return this.#db.patient(() => this.#apiKeys.revoke(name, actor));
  }

  // ---- upkeep ----------------------------------------------------------------------------------

  async checkCounts(repair: boolean): Promise<CountDrift[]> {
    return this.#db.patient(() => this.#maintenance.checkCounts(repair));
  }

  async takeMaintenance(task: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#db.patient(() => this.#retention.takeMaintenance(task, owner, ttlMs));
  }

  async releaseMaintenance(task: string, owner: string): Promise<void> {
    await this.#db.patient(() => this.#retention.releaseMaintenance(task, owner));
  }

  async maintenanceHolder(task: string): Promise<MaintenanceHolder | null> {
    return this.#db.patient(() => this.#retention.maintenanceHolder(task));
  }

  async pruneEstimate(cutoffs: PruneCutoffs): Promise<PruneEstimate> {
    return this.#retention.pruneEstimate(cutoffs);
  }

  async pruneBatch(cutoffs: PruneCutoffs, afterId: number, size: number): Promise<PruneBatch> {
    const batch = await this.#db.patient(() => this.#retention.pruneBatch(cutoffs, afterId, size));
    this.#signals.jobsChanged(false);
    return batch;
  }

  async pruneHistory(before: Date, maxRows: number): Promise<number> {
    return this.#db.patient(() => this.#retention.pruneHistory(before, maxRows));
  }

  async reclaimSpace(maxBytes: number): Promise<SpaceReport> {
    return this.#db.patient(() => this.#retention.reclaimSpace(maxBytes));
  }
}
