import { BreakerTuning } from '../../../shared/breakerTuning.ts';
import type { Actor } from '../../../shared/domain.ts';
import type { BreakerOverrides } from '../../../shared/registry.ts';
import { actorName } from '../actor.ts';
import { now, reasonOrNull } from './db.ts';
import type { Connection, SqliteDb } from './db.ts';
import { parseJson } from './rows.ts';

/** Breaker settings tuned at run time (migration 0008), laid over the registry's by every worker. */

interface TuningRow {
  service_name: string;
  settings: string;
  set_by: string;
  set_at: string;
  reason: string | null;
}

function prepare(db: Connection) {
  return {
    all: db.prepare<[], TuningRow>(`SELECT * FROM tb_breaker_tuning ORDER BY service_name`),
    one: db.prepare<[string], TuningRow>(`SELECT * FROM tb_breaker_tuning WHERE service_name = ?`),
    upsert: db.prepare<[string, string, string, string, string | null]>(
      `INSERT INTO tb_breaker_tuning (service_name, settings, set_by, set_at, reason) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (service_name) DO UPDATE SET settings = excluded.settings, set_by = excluded.set_by,
         set_at = excluded.set_at, reason = excluded.reason`,
    ),
    remove: db.prepare<[string]>(`DELETE FROM tb_breaker_tuning WHERE service_name = ?`),
  };
}

function toTuning(row: TuningRow): BreakerTuning {
  return BreakerTuning.parse({ ...row, settings: parseJson(row.settings) });
}

export class SqliteBreakerTuning {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepare(db.connection);
  }

  list(): BreakerTuning[] {
    return this.#db.guard(() => this.#s.all.all().map(toTuning));
  }

  tune(service: string, settings: BreakerOverrides | null, actor: Actor, reason: string | null): BreakerTuning | null {
    return this.#db.guard(() =>
      this.#db.write(() => {
        const at = now();
        const row = this.#s.one.get(service);
        const before = row ? toTuning(row).settings : {};
        const why = reasonOrNull(reason);
        let after: BreakerTuning | null = null;
        if (settings === null) {
          this.#s.remove.run(service);
        } else {
          const merged = { ...before, ...settings };
          this.#s.upsert.run(service, JSON.stringify(merged), actorName(actor), at, why);
          after = BreakerTuning.parse({ service_name: service, settings: merged, set_by: actorName(actor), set_at: at, reason: why });
        }
        this.#db.audit(at, actor, 'breaker.tune', service, null, { reason: why, from: before, to: after?.settings ?? null });
        return after;
      }),
    );
  }
}
