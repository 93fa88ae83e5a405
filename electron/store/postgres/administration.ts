import type { Actor } from '../../../shared/domain.ts';
import type { AlertEvent, AlertRule, AlertState, StoredAlertRule } from '../../../shared/alerts.ts';
import type { ApiKeyRecord } from '../../../shared/apiKey.ts';
import type { BreakerTuning } from '../../../shared/breakerTuning.ts';
import type { BreakerOverrides } from '../../../shared/registry.ts';
import type { ServiceGate } from '../../../shared/rateLimit.ts';
import type { RateLimitChange, RateLimitTuning } from '../../../shared/rateLimitTuning.ts';
import { rateLimitTuningChange, settingsChange, type Tuned } from '../tuningTables.ts';
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
import * as alertRules from './alertRules.ts';
import * as alerts from './alerts.ts';
import * as apiKeys from './apiKeys.ts';
import { listTunings, tune } from './tunings.ts';
import { BREAKER_TUNINGS, RATE_LIMIT_TUNINGS } from '../tuningTables.ts';
import type { PgDb } from './db.ts';
import { checkCounts } from './maintenance.ts';
import { maintenanceHolder, pruneBatch, pruneEstimate, pruneHistory, reclaimSpace, releaseMaintenance, takeMaintenance } from './retention.ts';
import type { PgSignals } from './signals.ts';

/**
 * What the PostgreSQL store keeps for operators to set up and look after: alerts and their rules, API
 * keys, breaker and rate limit tuning, and the store's own upkeep (count checks, pruning, space). The facade (index.ts)
 * forwards to it; each call goes to the concern that does the work, and changes are announced.
 */
export class PostgresAdministration {
  /** The facade's pool, refused once the store is closed. */
  readonly #open: () => PgDb;
  readonly #signals: PgSignals;

  constructor(open: () => PgDb, signals: PgSignals) {
    this.#open = open;
    this.#signals = signals;
  }

  // ---- alerts ----------------------------------------------------------------------------------

  async outcomesByService(since: Date): Promise<ServiceOutcomes[]> {
    return alerts.outcomesByService(this.#open(), since);
  }

  async listAlertStates(): Promise<AlertState[]> {
    return alerts.listAlertStates(this.#open());
  }

  async recordAlertEvaluation(results: EvaluatedRule[], at: Date): Promise<AlertTransition[]> {
    return alerts.recordAlertEvaluation(this.#open(), results, at);
  }

  async recordAlertDelivery(delivery: AlertDelivery): Promise<void> {
    await alerts.recordAlertDelivery(this.#open(), delivery);
  }

  async listAlertEvents(filter: { rule?: string }, page: PageRequest): Promise<Page<AlertEvent>> {
    return alerts.listAlertEvents(this.#open(), filter, page);
  }

  async ackAlert(rule: string, note: string, actor: Actor): Promise<AlertState | null> {
    return alerts.ackAlert(this.#open(), rule, note, actor);
  }

  async listAlertRules(): Promise<StoredAlertRule[]> {
    return alertRules.listAlertRules(this.#open());
  }

  async saveAlertRule(rule: AlertRule, actor: Actor): Promise<StoredAlertRule> {
    return alertRules.saveAlertRule(this.#open(), rule, actor);
  }

  async deleteAlertRule(name: string, actor: Actor): Promise<boolean> {
    return alertRules.deleteAlertRule(this.#open(), name, actor);
  }

  async silenceAlert(rule: string, until: Date | null, actor: Actor, reason: string | null): Promise<AlertState | null> {
    return alerts.silenceAlert(this.#open(), rule, until, actor, reason);
  }

  // ---- breaker tuning --------------------------------------------------------------------------

  async listBreakerTunings(): Promise<BreakerTuning[]> {
    return listTunings(this.#open(), BREAKER_TUNINGS);
  }

  async tuneBreaker(service: string, settings: BreakerOverrides | null, actor: Actor, reason: string | null): Promise<Tuned<BreakerTuning>> {
    const tuned = await tune(this.#open(), BREAKER_TUNINGS, service, settingsChange(settings), actor, reason);
    // Announced inside its transaction to the other processes; this one hears it at once. A repeat is neither.
    if (tuned.changed) this.#signals.emit('breakers');
    return tuned;
  }

  // ---- rate limit tuning -----------------------------------------------------------------------

  async listRateLimitTunings(): Promise<RateLimitTuning[]> {
    return listTunings(this.#open(), RATE_LIMIT_TUNINGS);
  }

  async tuneRateLimit(service: string, change: RateLimitChange, registry: ServiceGate | null, actor: Actor, reason: string | null): Promise<Tuned<RateLimitTuning>> {
    const tuning = await tune(this.#open(), RATE_LIMIT_TUNINGS, service, rateLimitTuningChange(service, change, registry), actor, reason);
    // Workers hear it with the breakers: both decide which jobs a claim may take.
    if (tuning.changed) this.#signals.emit('breakers');
    return tuning;
  }

  // ---- API keys --------------------------------------------------------------------------------

  async createApiKey(key: NewApiKey, actor: Actor): Promise<ApiKeyRecord | null> {
    return apiKeys.createApiKey(this.#open(), key, actor);
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return apiKeys.listApiKeys(this.#open());
  }

  async findApiKey(keyId: string): Promise<StoredApiKey | null> {
    return apiKeys.findApiKey(this.#open(), keyId);
  }

  async touchApiKey(keyId: string): Promise<void> {
    await apiKeys.touchApiKey(this.#open(), keyId);
  }

  async revokeApiKey(name: string, actor: Actor): Promise<ApiKeyRecord | null> {
    return apiKeys.revokeApiKey(this.#open(), name, actor);
  }

  // ---- upkeep ----------------------------------------------------------------------------------

  async checkCounts(repair: boolean): Promise<CountDrift[]> {
    return checkCounts(this.#open(), repair);
  }

  async takeMaintenance(task: string, owner: string, ttlMs: number): Promise<boolean> {
    return takeMaintenance(this.#open(), task, owner, ttlMs);
  }

  async releaseMaintenance(task: string, owner: string): Promise<void> {
    await releaseMaintenance(this.#open(), task, owner);
  }

  async maintenanceHolder(task: string): Promise<MaintenanceHolder | null> {
    return maintenanceHolder(this.#open(), task);
  }

  async pruneEstimate(cutoffs: PruneCutoffs): Promise<PruneEstimate> {
    return pruneEstimate(this.#open(), cutoffs);
  }

  async pruneBatch(cutoffs: PruneCutoffs, afterId: number, size: number): Promise<PruneBatch> {
    const batch = await pruneBatch(this.#open(), cutoffs, afterId, size);
    if (batch.completed + batch.cancelled + batch.dead_letters > 0) this.#signals.jobsChanged(false);
    return batch;
  }

  async pruneHistory(before: Date, maxRows: number): Promise<number> {
    return pruneHistory(this.#open(), before, maxRows);
  }

  async reclaimSpace(_maxBytes: number): Promise<SpaceReport> {
    // PostgreSQL has no space to give back here, but a closed store refuses this call like any other.
    this.#open();
    return reclaimSpace();
  }
}
