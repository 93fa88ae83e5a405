import type { AlertRule } from '../../../shared/alerts.ts';
import { StoredAlertRule } from '../../../shared/alerts.ts';
import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import type { PgDb, Row } from './db.ts';
import { rowsOf } from './db.ts';
import { writeAudit } from './operator.ts';
import { jsonNoNul, noNul } from './text.ts';

/** Alert rules written in the console (migration 0016), each change audited with the rule before and after. */

function toStored(row: Row): StoredAlertRule {
  return StoredAlertRule.parse({ rule: row.rule, set_by: row.set_by, set_at: row.set_at });
}

export async function listAlertRules(db: PgDb): Promise<StoredAlertRule[]> {
  return (await db.read(`SELECT name, rule, set_by, set_at FROM jobs.tb_alert_rule ORDER BY name`)).map(toStored);
}

export function saveAlertRule(db: PgDb, rule: AlertRule, actor: Actor): Promise<StoredAlertRule> {
  const by = actorName(actor);
  return db.tx(async (client) => {
    const before = await rowsOf(client, `SELECT name, rule, set_by, set_at FROM jobs.tb_alert_rule WHERE name = $1 FOR UPDATE`, [noNul(rule.name)]);
    const rows = await rowsOf(
      client,
      `INSERT INTO jobs.tb_alert_rule (name, rule, set_by) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (name) DO UPDATE SET rule = excluded.rule, set_by = excluded.set_by, set_at = now()
       RETURNING name, rule, set_by, set_at`,
      [noNul(rule.name), jsonNoNul(rule), by],
    );
    const saved = rows[0];
    if (!saved) throw new Error(`alert rule ${rule.name} was not saved`);
    await writeAudit(client, by, 'alert.rule_save', rule.name, null, { from: before[0] ? toStored(before[0]).rule : null, to: rule });
    return toStored(saved);
  });
}

export function deleteAlertRule(db: PgDb, name: string, actor: Actor): Promise<boolean> {
  const by = actorName(actor);
  return db.tx(async (client) => {
    const rows = await rowsOf(client, `DELETE FROM jobs.tb_alert_rule WHERE name = $1 RETURNING name, rule, set_by, set_at`, [noNul(name)]);
    if (!rows[0]) return false;
    await writeAudit(client, by, 'alert.rule_delete', name, null, { from: toStored(rows[0]).rule });
    return true;
  });
}
