import type { RateUse, ServiceGate, ServicePause } from '../../../shared/rateLimit.ts';
import { waitingReason } from '../../../shared/rateLimit.ts';
import type { Connection, SqliteDb } from './db.ts';

/**
 * Rate limits and fleet-wide concurrency caps (migration 0012). The claim asks `room` inside its own
 * BEGIN IMMEDIATE transaction and records its starts there too, so every process sharing the file sees
 * one sequence of claims and the limit holds exactly. Services without a gate never reach this file.
 */

function prepare(db: Connection) {
  return {
    used: db.prepare<[string, string], { n: number }>(`SELECT coalesce(sum(n), 0) AS n FROM tb_rate_start WHERE service_name = ? AND at > ?`),
    running: db.prepare<[string], { n: number }>(
      `SELECT coalesce(sum(n), 0) AS n FROM tb_job_count WHERE service_name = ? AND state = 'running'`,
    ),
    pause: db.prepare<[string], { until: string; reason: string }>(`SELECT until, reason FROM tb_service_pause WHERE service_name = ?`),
    start: db.prepare<[string, string, number]>(`INSERT INTO tb_rate_start (service_name, at, n) VALUES (?, ?, ?)`),
    forget: db.prepare<[string, string]>(`DELETE FROM tb_rate_start WHERE service_name = ? AND at < ?`),
    setPause: db.prepare<[string, string, string, string]>(
      `INSERT INTO tb_service_pause (service_name, until, reason, set_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (service_name) DO UPDATE SET until = excluded.until, reason = excluded.reason, set_at = excluded.set_at
       WHERE excluded.until > tb_service_pause.until`,
    ),
    pauses: db.prepare<[string], ServicePause>(
      `SELECT service_name, until, reason FROM tb_service_pause WHERE until > ? ORDER BY service_name`,
    ),
  };
}

/** Starts older than the period and this grace are no longer counted. */
const FORGET_AFTER_MS = 60_000;

export class SqliteGates {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepare(db.connection);
  }

  /** How many more jobs of the gate's service may start at `at`; call inside the claim's transaction. */
  room(gate: ServiceGate, at: string): number {
    const pause = this.#s.pause.get(gate.service);
    if (pause && pause.until > at) return 0;
    let room = Number.POSITIVE_INFINITY;
    if (gate.limit !== null) room = gate.limit - this.#usedAt(gate, at);
    if (gate.maxConcurrent !== null) room = Math.min(room, gate.maxConcurrent - (this.#s.running.get(gate.service)?.n ?? 0));
    return room;
  }

  /** Records `n` starts of the gate's service at `at`; call inside the claim's transaction. */
  recordStarts(gate: ServiceGate, at: string, n: number): void {
    if (gate.limit === null || n <= 0) return;
    this.#s.start.run(gate.service, at, n);
    this.#s.forget.run(gate.service, new Date(Date.parse(at) - gate.perMs - FORGET_AFTER_MS).toISOString());
  }

  use(gates: ServiceGate[]): RateUse[] {
    const at = new Date();
    const iso = at.toISOString();
    return this.#db.guard(() =>
      gates.map((gate) => {
        const pause = this.#s.pause.get(gate.service);
        const use = {
          service_name: gate.service,
          limit: gate.limit,
          per_ms: gate.limit === null ? null : gate.perMs,
          used: gate.limit === null ? 0 : this.#usedAt(gate, iso),
          max_concurrent: gate.maxConcurrent,
          running: this.#s.running.get(gate.service)?.n ?? 0,
          paused_until: pause && pause.until > iso ? pause.until : null,
          pause_reason: pause && pause.until > iso ? pause.reason : null,
        };
        return { ...use, waiting_reason: waitingReason(use, at) };
      }),
    );
  }

  pause(service: string, until: Date, reason: string): void {
    this.#db.guard(() => this.#db.write(() => this.#s.setPause.run(service, until.toISOString(), reason.slice(0, 500), new Date().toISOString())));
  }

  pauses(): ServicePause[] {
    return this.#db.guard(() => this.#s.pauses.all(new Date().toISOString()));
  }

  #usedAt(gate: ServiceGate, at: string): number {
    return this.#s.used.get(gate.service, new Date(Date.parse(at) - gate.perMs).toISOString())?.n ?? 0;
  }
}
