import type { Actor, AuditEntry, BreakerMode, BreakerRecord, ControlState, WorkerInfo } from '../../../shared/domain.ts';
import type { RateUse, ServiceGate, ServicePause } from '../../../shared/rateLimit.ts';
import type { BreakerTransition } from '../breakerStore.ts';
import type { ControlChange, ControlStore, EmergencyStopChange } from '../controlStore.ts';
import type { DrainEnded } from '../drain.ts';
import type { NewAuditEntry, Page, PageRequest } from '../store.ts';
import type { WorkerBeat, WorkerForget, WorkerRegistration, WorkerStore } from '../workerStore.ts';
import { SqliteControl } from './control.ts';
import type { SqliteDb } from './db.ts';
import type { SqliteGates } from './gates.ts';
import type { SqliteSignals } from './signals.ts';

/**
 * The SQLite store's control plane, for the facade (index.ts) to forward to: the emergency stop, safe mode
 * and paused queues, circuit breakers, services an upstream paused, workers and the audit log. Each call
 * goes to the concern that does the work, and what changed is announced.
 */
export class SqliteControlPlane implements ControlStore, WorkerStore {
  readonly #db: SqliteDb;
  readonly #signals: SqliteSignals;
  readonly #control: SqliteControl;
  readonly #gates: SqliteGates;

  constructor(db: SqliteDb, gates: SqliteGates, signals: SqliteSignals) {
    this.#db = db;
    this.#signals = signals;
    this.#gates = gates;
    this.#control = new SqliteControl(db);
  }

  // ---- control ---------------------------------------------------------------------------------

  async getControl(): Promise<ControlState> {
    return this.#db.patient(() => this.#control.getControl());
  }

  async setEmergencyStop(engaged: boolean, actor: Actor, reason: string | null): Promise<EmergencyStopChange> {
    return this.#controlChanged(await this.#db.patient(() => this.#control.setEmergencyStop(engaged, actor, reason)));
  }

  async setSafeMode(engaged: boolean, actor: Actor, reason: string | null, drainSeconds?: number): Promise<ControlChange> {
    return this.#controlChanged(await this.#db.patient(() => this.#control.setSafeMode(engaged, actor, reason, drainSeconds)));
  }

  async endDrain(): Promise<DrainEnded | null> {
    const ended = await this.#db.patient(() => this.#control.endDrain());
    if (ended !== null) this.#controlChanged({ state: ended.state, changed: true });
    return ended;
  }

  async setQueuePaused(queue: string, paused: boolean, actor: Actor, reason: string | null): Promise<ControlChange> {
    return this.#controlChanged(await this.#db.patient(() => this.#control.setQueuePaused(queue, paused, actor, reason)));
  }

  /** Only a change is announced: one that changed nothing leaves every listener as it was. */
  #controlChanged<C extends ControlChange>(change: C): C {
    if (!change.changed) return change;
    this.#signals.noteControlVersion();
    this.#signals.emit('control');
    return change;
  }

  // ---- circuit breakers ------------------------------------------------------------------------

  async listBreakers(): Promise<BreakerRecord[]> {
    return this.#db.patient(() => this.#control.listBreakers());
  }

  async getBreaker(service: string): Promise<BreakerRecord | null> {
    return this.#db.patient(() => this.#control.getBreaker(service));
  }

  async saveBreaker(record: BreakerRecord, transition: BreakerTransition | null): Promise<boolean> {
    const saved = await this.#db.patient(() => this.#control.saveBreaker(record, transition));
    if (saved) this.#signals.emit('breakers');
    return saved;
  }

  async setBreakerModeIfItChanges(service: string, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): Promise<BreakerRecord | null> {
    const record = await this.#db.patient(() => this.#control.setBreakerModeIfItChanges(service, mode, actor, reason));
    if (record) this.#signals.emit('breakers');
    return record;
  }

  // ---- rate limits -----------------------------------------------------------------------------

  async rateUse(gates: ServiceGate[]): Promise<RateUse[]> {
    return this.#db.patient(() => this.#gates.use(gates));
  }

  async pauseService(service: string, until: Date, reason: string): Promise<void> {
    await this.#db.patient(() => this.#gates.pause(service, until, reason));
    this.#signals.noteControlVersion();
    this.#signals.emit('control');
  }

  async listServicePauses(): Promise<ServicePause[]> {
    return this.#db.patient(() => this.#gates.pauses());
  }

  // ---- workers ---------------------------------------------------------------------------------

  async registerWorker(worker: WorkerRegistration): Promise<void> {
    await this.#db.patient(() => this.#control.registerWorker(worker));
    this.#signals.emit('workers');
  }

  async heartbeat(workerId: string, beat: WorkerBeat): Promise<boolean> {
    return this.#db.patient(() => this.#control.heartbeat(workerId, beat));
  }

  async listWorkers(lostAfterMs: number): Promise<WorkerInfo[]> {
    return this.#db.patient(() => this.#control.listWorkers(lostAfterMs));
  }

  async forgetWorker(id: string, lostAfterMs: number, actor: Actor): Promise<WorkerForget | null> {
    const result = await this.#db.patient(() => this.#control.forgetWorker(id, lostAfterMs, actor));
    if (result?.outcome === 'forgotten') this.#signals.emit('workers');
    return result;
  }

  // ---- audit -----------------------------------------------------------------------------------

  async audit(entry: NewAuditEntry): Promise<void> {
    await this.#db.patient(() => this.#control.audit(entry));
  }

  async listAudit(filter: { action?: string; search?: string }, page: PageRequest): Promise<Page<AuditEntry>> {
    return this.#db.patient(() => this.#control.listAudit(filter, page));
  }
}
