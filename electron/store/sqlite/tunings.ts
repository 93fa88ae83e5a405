import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { nextSettings, type Tuned, type Tuning, type TuningChange, type TuningTable } from '../tuningTables.ts';
import { now, reasonOrNull } from './db.ts';
import type { Connection, SqliteDb } from './db.ts';
import { parseJson } from './rows.ts';

/** Settings tuned at run time, breakers (migration 0008) and rate limits (0017), laid over the registry's by every worker. */

interface TuningRow {
  service_name: string;
  settings: string;
  set_by: string;
  set_at: string;
  reason: string | null;
}

function prepare(db: Connection, table: string) {
  return {
    all: db.prepare<[], TuningRow>(`SELECT * FROM ${table} ORDER BY service_name`),
    one: db.prepare<[string], TuningRow>(`SELECT * FROM ${table} WHERE service_name = ?`),
    upsert: db.prepare<[string, string, string, string, string | null]>(
      `INSERT INTO ${table} (service_name, settings, set_by, set_at, reason) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (service_name) DO UPDATE SET settings = excluded.settings, set_by = excluded.set_by,
         set_at = excluded.set_at, reason = coalesce(excluded.reason, ${table}.reason)`,
    ),
    remove: db.prepare<[string]>(`DELETE FROM ${table} WHERE service_name = ?`),
  };
}

export class SqliteTunings<T extends Tuning> {
  readonly #db: SqliteDb;
  readonly #kind: TuningTable<T>;
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: SqliteDb, kind: TuningTable<T>) {
    this.#db = db;
    this.#kind = kind;
    this.#s = prepare(db.connection, kind.table);
  }

  #parse(row: TuningRow): T {
    return this.#kind.schema.parse({ ...row, settings: parseJson(row.settings) });
  }

  list(): T[] {
    return this.#db.guard(() => this.#s.all.all().map((row) => this.#parse(row)));
  }

  /**
   * Lays the change's settings over the service's tuning key by key, or forgets it; audited, with the
   * change's details besides, under the write lock that also decides what the change asks. A change given
   * no reason keeps the one the tuning had: it still says why the service is tuned.
   */
  tune(service: string, change: TuningChange<T['settings']>, actor: Actor, reason: string | null): Tuned<T> {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const row = this.#s.one.get(service);
        const current = row ? this.#parse(row) : null;
        const stored = current?.settings ?? null;
        const { settings, details } = change(stored);
        const step = nextSettings(stored, settings);
        if (step === 'unchanged') return { tuning: current, changed: false };
        const why = reasonOrNull(reason);
        let after: T | null = null;
        if (step.next === null) {
          this.#s.remove.run(service);
        } else {
          this.#s.upsert.run(service, JSON.stringify(step.next), actorName(actor), at, why);
          after = this.#kind.schema.parse({ service_name: service, settings: step.next, set_by: actorName(actor), set_at: at, reason: why ?? current?.reason ?? null });
        }
        this.#db.audit(at, actor, this.#kind.action, service, null, { reason: why, from: stored ?? {}, to: after?.settings ?? null, ...details });
        return { tuning: after, changed: true };
      }),
    );
  }
}
