import type { Actor, JsonObject } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import type { Tuning, TuningTable } from '../tuningTables.ts';
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
   * Merges `settings` into the service's tuning key by key, or forgets it (null); audited, with `details`
   * besides. A change given no reason keeps the one the tuning had: it still says why the service is tuned.
   */
  tune(service: string, settings: T['settings'] | null, actor: Actor, reason: string | null, details: JsonObject): T | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const row = this.#s.one.get(service);
        const before = row ? this.#parse(row).settings : {};
        const why = reasonOrNull(reason);
        let after: T | null = null;
        if (settings === null) {
          this.#s.remove.run(service);
        } else {
          const merged = { ...before, ...settings };
          this.#s.upsert.run(service, JSON.stringify(merged), actorName(actor), at, why);
          after = this.#kind.schema.parse({ service_name: service, settings: merged, set_by: actorName(actor), set_at: at, reason: why ?? row?.reason ?? null });
        }
        this.#db.audit(at, actor, this.#kind.action, service, null, { reason: why, from: before, to: after?.settings ?? null, ...details });
        return after;
      }),
    );
  }
}
