import type { AlertRule } from '../../../shared/alerts.ts';
import { StoredAlertRule } from '../../../shared/alerts.ts';
import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import type { Connection, SqliteDb } from './db.ts';
import { parseJson } from './rows.ts';

/** Alert rules written in the console (migration 0012), each change audited with the rule before and after. */

interface RuleRow {
  name: string;
  rule: string;
  set_by: string;
  set_at: string;
}

function prepare(db: Connection) {
  return {
    all: db.prepare<[], RuleRow>(`SELECT * FROM tb_alert_rule ORDER BY name`),
    one: db.prepare<[string], RuleRow>(`SELECT * FROM tb_alert_rule WHERE name = ?`),
    upsert: db.prepare<[string, string, string, string]>(
      `INSERT INTO tb_alert_rule (name, rule, set_by, set_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET rule = excluded.rule, set_by = excluded.set_by, set_at = excluded.set_at`,
    ),
    remove: db.prepare<[string]>(`DELETE FROM tb_alert_rule WHERE name = ?`),
  };
}

function toStored(row: RuleRow): StoredAlertRule {
  return StoredAlertRule.parse({ rule: parseJson(row.rule), set_by: row.set_by, set_at: row.set_at });
}

export class SqliteAlertRules {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepare(db.connection);
  }

  list(): StoredAlertRule[] {
    return this.#db.guard(() => this.#s.all.all().map(toStored));
  }

  save(rule: AlertRule, actor: Actor): StoredAlertRule {
    const at = new Date().toISOString();
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#s.one.get(rule.name);
        this.#s.upsert.run(rule.name, JSON.stringify(rule), actorName(actor), at);
        this.#db.audit(at, actor, 'alert.rule_save', rule.name, null, { from: before ? toStored(before).rule : null, to: rule });
        const row = this.#s.one.get(rule.name);
        if (!row) throw new Error(`alert rule ${rule.name} was not saved`);
        return toStored(row);
      }),
    );
  }

  remove(name: string, actor: Actor): boolean {
    const at = new Date().toISOString();
    return this.#db.guard(() =>
      this.#db.write(() => {
        const before = this.#s.one.get(name);
        if (!before) return false;
        this.#s.remove.run(name);
        this.#db.audit(at, actor, 'alert.rule_delete', name, null, { from: toStored(before).rule });
        return true;
      }),
    );
  }
}
