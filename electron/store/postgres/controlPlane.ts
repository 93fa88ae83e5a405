import type { Actor, AuditEntry, BreakerMode, BreakerRecord, ControlState, WorkerInfo } from '../../../shared/domain.ts';
import type { RateUse, ServiceGate, ServicePause } from '../../../shared/rateLimit.ts';
import type { BreakerTransition } from '../breakerStore.ts';
import type { ControlChange, ControlStore, EmergencyStopChange } from '../controlStore.ts';
import type { DrainEnded } from '../drain.ts';
import type { NewAuditEntry, Page, PageRequest } from '../store.ts';
import type { WorkerBeat, WorkerForget, WorkerRegistration, WorkerStore } from '../workerStore.ts';
import * as control from './control.ts';
import type { PgDb } from './db.ts';
import { listServicePauses, pauseService, rateUse } from './gates.ts';
import type { PgSignals } from './signals.ts';

/**
 * The PostgreSQL store's control plane, for the facade (index.ts) to forward to: the emergency stop, safe
 * mode and paused queues, circuit breakers, services an upstream paused, workers and the audit log. Each
 * call goes to the concern that does the work, and what changed is announced.
 */
export class PostgresControlPlane implements ControlStore, WorkerStore {
  /** The facade's pool, refused once the store is closed. */
  readonly #open: () => PgDb;
  readonly #signals: PgSignals;

  constructor(open: () => PgDb, signals: PgSignals) {
    this.#open = open;
    this.#signals = signals;
  }

  // ---- control ---------------------------------------------------------------------------------

  async getControl(): Promise<ControlState> {
    return control.getControl(this.#open());
  }

  async setEmergencyStop(engaged: boolean, actor: Actor, reason: string | null): Promise<EmergencyStopChange> {
    return this.#controlChanged(control.setEmergencyStop(this.#open(), engaged, actor, reason));
  }

  async setSafeMode(engaged: boolean, actor: Actor, reason: string | null, drainSeconds?: number): Promise<ControlChange> {
    return this.#controlChanged(control.setSafeMode(this.#open(), engaged, actor, reason, drainSeconds));
  }

  async endDrain(): Promise<DrainEnded | null> {
    const ended = await control.endDrain(this.#open());
    if (ended !== null) await this.#controlChanged(Promise.resolve({ state: ended.state, changed: true }));
    return ended;
  }

  async setQueuePaused(queue: string, paused: boolean, actor: Actor, reason: string | null): Promise<ControlChange> {
    return this.#controlChanged(control.setQueuePaused(this.#open(), queue, paused, actor, reason));
  }

  /** Only a change is announced: one that changed nothing leaves every listener as it was. */
  async #controlChanged<C extends ControlChange>(pending: Promise<C>): Promise<C> {
    const change = await pending;
    if (!change.changed) return change;
    this.#signals.noteControlVersion(change.state.version);
    this.#signals.emit('control');
    return change;
  }

  // ---- circuit breakers ------------------------------------------------------------------------

  async listBreakers(): Promise<BreakerRecord[]> {
    return control.listBreakers(this.#open());
  }

  async getBreaker(service: string): Promise<BreakerRecord | null> {
    return control.getBreaker(this.#open(), service);
  }

  async saveBreaker(record: BreakerRecord, transition: BreakerTransition | null): Promise<boolean> {
    const saved = await control.saveBreaker(this.#open(), record, transition);
    // A transition was announced inside its transaction; counters alone are announced coalesced.
    if (saved && transition) this.#signals.emit('breakers');
    else if (saved) this.#signals.changedOften('breakers');
    return saved;
  }

  async setBreakerModeIfItChanges(service: string, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): Promise<BreakerRecord | null> {
    const record = await control.setBreakerModeIfItChanges(this.#open(), service, mode, actor, reason);
    if (record) this.#signals.emit('breakers');
    return record;
  }

  // ---- rate limits -----------------------------------------------------------------------------

  async rateUse(gates: ServiceGate[]): Promise<RateUse[]> {
    return rateUse(this.#open(), gates);
  }

  async pauseService(service: string, until: Date, reason: string): Promise<void> {
    await pauseService(this.#open(), service, until, reason);
    // Announced inside its transaction to the other processes; this one hears it at once.
    this.#signals.emit('control');
  }

  async listServicePauses(): Promise<ServicePause[]> {
    return listServicePauses(this.#open());
  }

  // ---- workers ---------------------------------------------------------------------------------

  async registerWorker(worker: WorkerRegistration): Promise<void> {
    await control.registerWorker(this.#open(), worker);
    this.#signals.emit('workers');
  }

  async heartbeat(workerId: string, beat: WorkerBeat): Promise<boolean> {
    const taken = await control.heartbeat(this.#open(), workerId, beat);
    if (taken.changed) this.#signals.emit('workers');
    return taken.known;
  }

  async listWorkers(lostAfterMs: number): Promise<WorkerInfo[]> {
    return control.listWorkers(this.#open(), lostAfterMs);
  }

  async forgetWorker(id: string, lostAfterMs: number, actor: Actor): Promise<WorkerForget | null> {
    const result = await control.forgetWorker(this.#open(), id, lostAfterMs, actor);
    if (result?.outcome === 'forgotten') this.#signals.emit('workers');
    return result;
  }

  // ---- audit -----------------------------------------------------------------------------------

  async audit(entry: NewAuditEntry): Promise<void> {
    return control.audit(this.#open(), entry);
  }

  async listAudit(filter: { action?: string; search?: string }, page: PageRequest): Promise<Page<AuditEntry>> {
    return control.listAudit(this.#open(), filter, page);
  }
}
