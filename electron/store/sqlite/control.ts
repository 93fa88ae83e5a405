import type BetterSqlite3 from 'better-sqlite3';
import { modeChanges, newBreakerRecord } from '../../../shared/breakerRecord.ts';
import type { Actor, AuditEntry, BreakerMode, BreakerRecord, ControlState, JsonObject, WorkerInfo, WorkerRegistry } from '../../../shared/domain.ts';
import { actorName, ENGINE_ACTOR } from '../actor.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import type { NewAuditEntry, Page, PageRequest } from '../store.ts';
import type { BreakerTransition } from '../breakerStore.ts';
import type { ControlChange, EmergencyStopChange, StoppedJobs } from '../controlStore.ts';
import { UNMEASURED, type WorkerBeat, type WorkerForget, type WorkerRegistration } from '../workerStore.ts';
import { stoppedJobs } from '../stoppedJobs.ts';
import { controlAuditCounts, type ControlAuditCounts } from '../controlAudit.ts';
import { drainStopReason, type DrainEnded } from '../drain.ts';
import { now, reasonOrNull } from './db.ts';
import type { Connection, Params, SqliteDb } from './db.ts';
import { auditWhere, isoTime } from './filters.ts';
import { NO_CURSOR } from './reads.ts';
import { toAudit, toBreaker, toJson, toWorker } from './rows.ts';
import type { AuditRow, BreakerRow, WorkerRow } from './rows.ts';

/**
 * The control plane (emergency stop, safe mode, paused queues), circuit breakers, workers and the audit
 * log. Every operator change writes its audit row in its own transaction.
 */

/**
 * When a worker registers, stopped workers older than a day are forgotten, and any worker silent for a
 * week (a laptop that slept through a weekend still shows as lost, not gone).
 */
const FORGET_STOPPED_MS = 24 * 3_600_000;
const FORGET_SILENT_MS = 7 * 24 * 3_600_000;

function prepareControlStatements(db: Connection) {
  return {
    // Each changes a row only when it is not already as asked: the count of rows changed is the answer.
    setEmergencyStop: db.prepare<[Params]>(
      `UPDATE tb_control SET emergency_stop = @on, emergency_stop_by = @by, emergency_stop_at = @now,
         emergency_stop_reason = @reason, version = version + 1 WHERE id = 1 AND emergency_stop <> @on`,
    ),
    // Turned on or off, any drain goes: off ends it, and one turned on has none yet.
    setSafeMode: db.prepare<[Params]>(
      `UPDATE tb_control SET safe_mode = @on, safe_mode_by = @by, safe_mode_at = @now, safe_mode_reason = @reason,
         drain_by = NULL, drain_at = NULL, drain_until = NULL, version = version + 1 WHERE id = 1 AND safe_mode <> @on`,
    ),
    setDrain: db.prepare<[Params]>(`UPDATE tb_control SET drain_by = @by, drain_at = @now, drain_until = @until, version = version + 1 WHERE id = 1`),
    clearDrain: db.prepare<[]>(`UPDATE tb_control SET drain_by = NULL, drain_at = NULL, drain_until = NULL, version = version + 1 WHERE id = 1`),
    drainStop: db.prepare<[Params]>(
      `UPDATE tb_control SET emergency_stop = 1, emergency_stop_by = @by, emergency_stop_at = @now, emergency_stop_reason = @reason WHERE id = 1`,
    ),
    pauseQueue: db.prepare<[Params]>(
      `INSERT INTO tb_paused_queue (queue, paused_by, paused_at, reason) VALUES (@queue, @by, @now, @reason)
       ON CONFLICT (queue) DO NOTHING`,
    ),
    resumeQueue: db.prepare<[string]>(`DELETE FROM tb_paused_queue WHERE queue = ?`),
    stoppedJobs: db.prepare<[], { service_name: string; state: string; n: number }>(
      `SELECT service_name, state, sum(n) AS n FROM tb_job_count WHERE state IN ('running', 'pending') GROUP BY service_name, state HAVING sum(n) <> 0`,
    ),
    queueJobs: db.prepare<[string], { service_name: string; state: string; n: number }>(
      `SELECT service_name, state, sum(n) AS n FROM tb_job_count WHERE queue = ? AND state IN ('running', 'pending') GROUP BY service_name, state HAVING sum(n) <> 0`,
    ),
    bumpControl: db.prepare<[]>(`UPDATE tb_control SET version = version + 1 WHERE id = 1`),
    breakers: db.prepare<[], BreakerRow>(`SELECT * FROM tb_breaker ORDER BY service_name`),
    breaker: db.prepare<[string], BreakerRow>(`SELECT * FROM tb_breaker WHERE service_name = ?`),
    insertBreaker: db.prepare<[Params]>(
      `INSERT INTO tb_breaker (service_name, state, mode, window_started_at, window_failures, window_successes, prev_failures,
         prev_successes, opened_at, left_closed_at, probes_in_flight, probe_started_at, last_transition_at, last_error,
         mode_set_by, mode_set_at, mode_reason, version)
       VALUES (@service_name, @state, @mode, @window_started_at, @window_failures, @window_successes, @prev_failures,
         @prev_successes, @opened_at, @left_closed_at, @probes_in_flight, @probe_started_at, @last_transition_at, @last_error,
         @mode_set_by, @mode_set_at, @mode_reason, @version)
       ON CONFLICT (service_name) DO NOTHING`,
    ),
    updateBreaker: db.prepare<[Params]>(
      `UPDATE tb_breaker SET state = @state, mode = @mode, window_started_at = @window_started_at,
         window_failures = @window_failures, window_successes = @window_successes, prev_failures = @prev_failures,
         prev_successes = @prev_successes, opened_at = @opened_at, left_closed_at = @left_closed_at,
         probes_in_flight = @probes_in_flight, probe_started_at = @probe_started_at,
         last_transition_at = @last_transition_at, last_error = @last_error,
         mode_set_by = @mode_set_by, mode_set_at = @mode_set_at, mode_reason = @mode_reason, version = @version
       WHERE service_name = @service_name AND version = @version - 1`,
    ),
    forgetWorkers: db.prepare<[string, string]>(
      `DELETE FROM tb_worker WHERE (state = 'stopped' AND last_heartbeat_at < ?) OR last_heartbeat_at < ?`,
    ),
    registerWorker: db.prepare<[Params]>(
      `INSERT INTO tb_worker (id, name, host, pid, version, started_at, concurrency, queues, services, in_flight, state, last_heartbeat_at,
         registry_digest, registry_path, registry_loaded_at)
       VALUES (@id, @name, @host, @pid, @version, @now, @concurrency, @queues, @services, 0, 'running', @now,
         @registry_digest, @registry_path, @registry_loaded_at)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host, pid = excluded.pid, version = excluded.version,
         started_at = excluded.started_at, concurrency = excluded.concurrency, queues = excluded.queues,
         services = excluded.services, in_flight = 0, state = 'running', last_heartbeat_at = excluded.last_heartbeat_at,
         rss_bytes = NULL, heap_used_bytes = NULL, cpu_percent = NULL, registry_digest = excluded.registry_digest, registry_path = excluded.registry_path,
         registry_loaded_at = excluded.registry_loaded_at, cannot_run = NULL, pool = NULL`,
    ),
    heartbeat: db.prepare<[Params]>(
      `UPDATE tb_worker SET in_flight = @in_flight, state = @state, last_heartbeat_at = @now,
         services = coalesce(@services, services), rss_bytes = @rss_bytes, heap_used_bytes = @heap_used_bytes,
         cpu_percent = @cpu_percent,
         registry_digest = coalesce(@registry_digest, registry_digest), registry_path = CASE WHEN @registry_digest IS NULL THEN registry_path ELSE @registry_path END,
         registry_loaded_at = coalesce(@registry_loaded_at, registry_loaded_at), cannot_run = coalesce(@cannot_run, cannot_run), pool = @pool WHERE id = @id`,
    ),
    workers: db.prepare<[], WorkerRow>(`SELECT * FROM tb_worker ORDER BY started_at DESC, id`),
    worker: db.prepare<[string], WorkerRow>(`SELECT * FROM tb_worker WHERE id = ?`),
    heldJobs: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM tb_job_run WHERE status = 'running' AND lease_owner = ?`),
    deleteWorker: db.prepare<[string]>(`DELETE FROM tb_worker WHERE id = ?`),
  };
}

export class SqliteControl {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepareControlStatements>;
  readonly #auditPages = new Map<string, BetterSqlite3.Statement<unknown[], AuditRow>>();

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepareControlStatements(db.connection);
  }

  getControl(): ControlState {
    return this.#db.guard(() => this.#db.control());
  }

  setEmergencyStop(engaged: boolean, actor: Actor, reason: string | null): EmergencyStopChange {
    let stopped: StoppedJobs | null = null;
    const change = this.#setControl(engaged ? 'control.emergency_stop' : 'control.resume', null, { engaged }, reason, actor, (at, by) => {
      if (this.#s.setEmergencyStop.run({ on: engaged ? 1 : 0, by, now: at, reason: reasonOrNull(reason) }).changes === 0) return null;
      // Under the same write lock: no claim or settle comes between the stop and what it found.
      const found = stoppedJobs(this.#s.stoppedJobs.all());
      if (engaged) stopped = found;
      return controlAuditCounts(engaged ? 'stop' : 'release', found);
    });
    return { ...change, stopped };
  }

  setSafeMode(engaged: boolean, actor: Actor, reason: string | null, drainSeconds?: number): ControlChange {
    const drain = engaged ? drainSeconds : undefined;
    return this.#setControl('control.safe_mode', null, { engaged, ...(drain === undefined ? {} : { drain_s: drain }) }, reason, actor, (at, by) => {
      const turned = this.#s.setSafeMode.run({ on: engaged ? 1 : 0, by, now: at, reason: reasonOrNull(reason) }).changes > 0;
      if (drain !== undefined) this.#s.setDrain.run({ by, now: at, until: new Date(Date.parse(at) + drain * 1000).toISOString() });
      else if (!turned) return null;
      return controlAuditCounts(engaged ? 'hold' : 'release', stoppedJobs(this.#s.stoppedJobs.all()));
    });
  }

  /** Store.endDrain, under the write lock: of the workers that try at once, one ends it. */
  endDrain(): DrainEnded | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const before = this.#db.control();
        const drain = before.drain;
        if (drain === undefined || Date.parse(drain.until) > Date.parse(at)) return null;
        this.#s.clearDrain.run();
        const found = stoppedJobs(this.#s.stoppedJobs.all());
        const running = Object.values(found.runningByService).reduce((sum, n) => sum + n, 0);
        if (running === 0 || !before.safe_mode.engaged || before.emergency_stop.engaged) return { drain, running, stopped: null, state: this.#db.control() };
        const reason = drainStopReason(running, drain.seconds);
        this.#s.drainStop.run({ by: drain.by, now: at, reason });
        const counted = controlAuditCounts('stop', found);
        this.#db.audit(at, drain.by, 'control.emergency_stop', null, counted.job_count, { engaged: true, reason, drain_s: drain.seconds, ...counted.details });
        return { drain, running, stopped: found, state: this.#db.control() };
      }),
    );
  }

  setQueuePaused(queue: string, paused: boolean, actor: Actor, reason: string | null): ControlChange {
    return this.#setControl(paused ? 'queue.pause' : 'queue.unpause', queue, { paused }, reason, actor, (at, by) => {
      const changes = paused ? this.#s.pauseQueue.run({ queue, by, now: at, reason: reasonOrNull(reason) }).changes : this.#s.resumeQueue.run(queue).changes;
      if (changes === 0) return null;
      this.#s.bumpControl.run();
      return controlAuditCounts(paused ? 'hold' : 'release', stoppedJobs(this.#s.queueJobs.all(queue)));
    });
  }

  /**
   * `change` makes the change under the write lock and answers what it did to the jobs, or null when it
   * changed nothing; only a change is audited, with those counts.
   */
  #setControl(
    action: string,
    target: string | null,
    details: JsonObject,
    reason: string | null,
    actor: Actor,
    change: (at: string, by: string) => ControlAuditCounts | null,
  ): ControlChange {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const counted = change(at, actorName(actor));
        if (counted) this.#db.audit(at, actor, action, target, counted.job_count, { ...details, reason: reasonOrNull(reason), ...counted.details });
        return { state: this.#db.control(), changed: counted !== null };
      }),
    );
  }

  listBreakers(): BreakerRecord[] {
    return this.#db.guard(() => this.#s.breakers.all().map(toBreaker));
  }

  getBreaker(service: string): BreakerRecord | null {
    return this.#db.guard(() => {
      const row = this.#s.breaker.get(service);
      return row ? toBreaker(row) : null;
    });
  }

  saveBreaker(record: BreakerRecord, transition: BreakerTransition | null): boolean {
    const params = breakerParams(record);
    return this.#db.guard(() =>
      this.#db.write(() => {
        const changes = record.version === 1 ? this.#s.insertBreaker.run(params).changes : this.#s.updateBreaker.run(params).changes;
        if (changes > 0 && transition) {
          const { from, to, reason } = transition;
          this.#db.audit(now(), ENGINE_ACTOR, 'breaker.transition', record.service_name, null, { from, to, reason });
        }
        return changes > 0;
      }),
    );
  }

  /** Decided under the write lock, so a breaker tripping meanwhile is reset, not skipped. */
  setBreakerModeIfItChanges(service: string, mode: BreakerMode | 'reset', actor: Actor, reason: string | null): BreakerRecord | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const current = this.#breakerAt(service, at);
        return modeChanges(current.record, mode) ? this.#setMode(current, mode, actor, reason, at) : null;
      }),
    );
  }

  /** The stored breaker, or the one nobody has saved yet (`stored` false). */
  #breakerAt(service: string, at: string): { record: BreakerRecord; stored: boolean } {
    const row = this.#s.breaker.get(service);
    return row ? { record: toBreaker(row), stored: true } : { record: newBreakerRecord(service, new Date(at)), stored: false };
  }

  #setMode({ record: current, stored }: { record: BreakerRecord; stored: boolean }, mode: BreakerMode | 'reset', actor: Actor, reason: string | null, at: string): BreakerRecord {
    const service = current.service_name;
    const by = actorName(actor);
    const note = reasonOrNull(reason);
    const next: BreakerRecord =
      mode === 'reset'
        ? { ...newBreakerRecord(service, new Date(at)), last_transition_at: at, mode_set_by: by, mode_set_at: at, mode_reason: note, version: current.version + 1 }
        : { ...current, mode, mode_set_by: by, mode_set_at: at, mode_reason: note, version: current.version + 1 };
    const params = breakerParams(next);
    if (stored) this.#s.updateBreaker.run(params);
    else this.#s.insertBreaker.run(params);
    this.#db.audit(at, actor, `breaker.${mode}`, service, null, { reason: note, from_mode: current.mode, from_state: current.state });
    return next;
  }

  registerWorker(worker: WorkerRegistration): void {
    this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const ago = (ms: number) => new Date(Date.parse(at) - ms).toISOString();
        this.#s.forgetWorkers.run(ago(FORGET_STOPPED_MS), ago(FORGET_SILENT_MS));
        this.#s.registerWorker.run({
          id: worker.id,
          host: worker.host,
          name: worker.name ?? null,
          pid: worker.pid,
          version: worker.version,
          concurrency: worker.concurrency,
          queues: toJson(worker.queues),
          services: worker.services === undefined ? null : toJson(worker.services),
          ...registryParams(worker.registry ?? null),
          now: at,
        });
      }),
    );
  }

  heartbeat(workerId: string, beat: WorkerBeat): boolean {
    const { inFlight, state, services, registry, cannotRun } = beat;
    const declared = services === undefined ? null : toJson(services);
    const { memory, cpu_percent, pool } = beat.usage ?? UNMEASURED;
    const measured = { rss_bytes: memory?.rss_bytes ?? null, heap_used_bytes: memory?.heap_used_bytes ?? null, cpu_percent, pool: toJson(pool) };
    const run = registryParams(registry ?? null);
    const lacks = { cannot_run: toJson(cannotRun) };
    return this.#db.guard(() => this.#s.heartbeat.run({ id: workerId, in_flight: inFlight, state, now: now(), services: declared, ...measured, ...run, ...lacks }).changes > 0);
  }

  listWorkers(lostAfterMs: number): WorkerInfo[] {
    const lostBefore = new Date(Date.now() - lostAfterMs).toISOString();
    return this.#db.guard(() => this.#s.workers.all().map((row) => toWorker(row, lostBefore)));
  }

  forgetWorker(id: string, lostAfterMs: number, actor: Actor): WorkerForget | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const row = this.#s.worker.get(id);
        if (!row) return null;
        const worker = toWorker(row, new Date(Date.parse(at) - lostAfterMs).toISOString());
        const jobs = this.#s.heldJobs.get(id)?.n ?? 0;
        if (worker.state !== 'stopped' && !worker.lost) return { outcome: 'alive', worker, jobs };
        if (jobs > 0) return { outcome: 'holds_jobs', worker, jobs };
        this.#s.deleteWorker.run(id);
        this.#db.audit(at, actor, 'worker.forget', id, null, { host: worker.host, pid: worker.pid, state: worker.lost ? 'lost' : worker.state, last_heartbeat_at: worker.last_heartbeat_at });
        return { outcome: 'forgotten', worker, jobs };
      }),
    );
  }

  audit(entry: NewAuditEntry): void {
    this.#db.guard(() => this.#db.audit(now(), entry.actor, entry.action, entry.target ?? null, entry.job_count ?? null, entry.details ?? null));
  }

  listAudit(filter: { action?: string; search?: string }, page: PageRequest): Page<AuditEntry> {
    const where = auditWhere(filter);
    return this.#db.guard(() => {
      const after = decodeCursor(page.after) ?? NO_CURSOR;
      const limit = clampLimit(page.limit);
      const statement = this.#db.cached(this.#auditPages, where.key, () =>
        `SELECT * FROM tb_audit_log WHERE ${where.sql} AND id < ? ORDER BY id DESC LIMIT ?`,
      );
      const rows = statement.all(...where.params, after, limit + 1);
      const items = rows.slice(0, limit).map(toAudit);
      const last = items.at(-1);
      return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }
}

function isoOrNull(value: string | null, what: string): string | null {
  return value === null ? null : isoTime(value, what);
}

function breakerParams(r: BreakerRecord): Params {
  return {
    service_name: r.service_name,
    state: r.state,
    mode: r.mode,
    window_started_at: isoTime(r.window_started_at, 'breaker window_started_at'),
    window_failures: r.window_failures,
    window_successes: r.window_successes,
    prev_failures: r.prev_failures,
    prev_successes: r.prev_successes,
    opened_at: isoOrNull(r.opened_at, 'breaker opened_at'),
    left_closed_at: isoOrNull(r.left_closed_at, 'breaker left_closed_at'),
    probes_in_flight: r.probes_in_flight,
    probe_started_at: isoOrNull(r.probe_started_at, 'breaker probe_started_at'),
    last_transition_at: isoOrNull(r.last_transition_at, 'breaker last_transition_at'),
    last_error: r.last_error,
    mode_set_by: r.mode_set_by,
    mode_set_at: isoOrNull(r.mode_set_at, 'breaker mode_set_at'),
    mode_reason: r.mode_reason,
    version: r.version,
  };
}

/** A declared registry as the worker row's columns; null leaves them NULL (registering) or as they were (a heartbeat). */
function registryParams(registry: WorkerRegistry | null): { registry_digest: string | null; registry_path: string | null; registry_loaded_at: string | null } {
  return { registry_digest: registry?.digest ?? null, registry_path: registry?.path ?? null, registry_loaded_at: registry?.loaded_at ?? null };
}
