import { z } from 'zod';
import { AlertEvent, AlertState, StoredAdvice, type AlertAdvice } from '../../../shared/alerts.ts';
import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import type { AlertDelivery, AlertTransition, EvaluatedRule, Page, PageRequest, ServiceOutcomes } from '../store.ts';
import type { PgDb, Queryable, Row } from './db.ts';
import { rowsOf } from './db.ts';
import { reasonOf, writeAudit } from './operator.ts';
import { noNul } from './text.ts';

/** Alert states, transitions, deliveries, acknowledgements and silences (migration 0016; their advice, 0051). */

const STATE_COLUMNS = `rule, severity, firing, since, summary, advice, value, acked_by, acked_at, ack_note, silenced_until, silenced_by, evaluated_at`;

/** A row's advice is NULL when it was written before advice was kept apart. */
function toState(row: Row): AlertState {
  return AlertState.parse({ ...row, advice: StoredAdvice.parse(row.advice ?? null) });
}

/** Advice as the jsonb column takes it: none is NULL, as on rows written before it was kept. */
function adviceJson(advice: readonly AlertAdvice[]): string | null {
  return advice.length === 0 ? null : JSON.stringify(advice);
}

const Outcomes = z.object({ service_name: z.string(), completed: z.number(), failed: z.number(), retried: z.number() });

/** From the per-minute rollups (every stripe of each minute): a few rows per service and minute, never the jobs. */
export async function outcomesByService(db: PgDb, since: Date): Promise<ServiceOutcomes[]> {
  const rows = await db.read(
    `SELECT service_name, sum(completed)::int AS completed, sum(failed)::int AS failed, sum(retried)::int AS retried
     FROM jobs.tb_job_rollup WHERE minute >= date_trunc('minute', $1::timestamptz) GROUP BY service_name ORDER BY service_name`,
    [since.toISOString()],
  );
  return rows.map((row) => Outcomes.parse(row));
}

export async function listAlertStates(db: PgDb): Promise<AlertState[]> {
  return (await db.read(`SELECT ${STATE_COLUMNS} FROM jobs.tb_alert_state ORDER BY rule`)).map(toState);
}

async function event(client: Queryable, at: string, r: EvaluatedRule, kind: string): Promise<void> {
  await client.query(`INSERT INTO jobs.tb_alert_event (at, rule, kind, severity, summary, advice) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
    at,
    noNul(r.rule),
    kind,
    r.severity,
    noNul(r.summary).slice(0, 2000),
    adviceJson(r.advice ?? []),
  ]);
}

export function recordAlertEvaluation(db: PgDb, results: EvaluatedRule[], at: Date): Promise<AlertTransition[]> {
  const iso = at.toISOString();
  return db.tx(async (client) => {
    const before = new Map(
      (await rowsOf(client, `SELECT ${STATE_COLUMNS} FROM jobs.tb_alert_state FOR UPDATE`)).map((row) => {
        const state = toState(row);
        return [state.rule, state];
      }),
    );
    const evaluated = results.map((r) => r.rule);
    await client.query(`DELETE FROM jobs.tb_alert_state WHERE rule <> ALL($1::text[])`, [evaluated]);
    const transitions: AlertTransition[] = [];
    for (const r of results) {
      const prior = before.get(r.rule);
      const changed = prior ? prior.firing !== r.firing : r.firing;
      // A rule that resolves forgets its acknowledgement: the next firing needs a new look.
      await client.query(
        `INSERT INTO jobs.tb_alert_state (rule, severity, firing, since, summary, value, evaluated_at, advice) VALUES ($1, $2, $3, $4, $5, $6, $4, $8::jsonb)
         ON CONFLICT (rule) DO UPDATE SET severity = excluded.severity, firing = excluded.firing,
           since = CASE WHEN $7 THEN excluded.since ELSE jobs.tb_alert_state.since END, summary = excluded.summary, advice = excluded.advice,
           value = excluded.value, evaluated_at = excluded.evaluated_at,
           acked_by = CASE WHEN excluded.firing THEN jobs.tb_alert_state.acked_by END,
           acked_at = CASE WHEN excluded.firing THEN jobs.tb_alert_state.acked_at END,
           ack_note = CASE WHEN excluded.firing THEN jobs.tb_alert_state.ack_note END`,
        [noNul(r.rule), r.severity, r.firing, iso, noNul(r.summary), r.value, changed, adviceJson(r.advice ?? [])],
      );
      if (!changed) continue;
      const status = r.firing ? 'firing' : 'resolved';
      await event(client, iso, r, status);
      const silencedUntil = prior?.silenced_until ?? null;
      transitions.push({ rule: r.rule, severity: r.severity, status, summary: r.summary, advice: r.advice ?? [], value: r.value, at: iso, silenced: silencedUntil !== null && Date.parse(silencedUntil) > at.getTime() });
    }
    return transitions;
  });
}

export async function recordAlertDelivery(db: PgDb, d: AlertDelivery): Promise<void> {
  await db.query(`INSERT INTO jobs.tb_alert_event (rule, kind, severity, summary, channel) VALUES ($1, $2, $3, $4, $5)`, [
    noNul(d.rule),
    d.ok ? 'delivered' : 'delivery_failed',
    d.severity,
    noNul(d.summary).slice(0, 2000),
    d.channel,
  ]);
}

export async function listAlertEvents(db: PgDb, filter: { rule?: string }, page: PageRequest): Promise<Page<AlertEvent>> {
  const limit = clampLimit(page.limit);
  const after = decodeCursor(page.after);
  const rows = await db.read(
    `SELECT id, at, rule, kind, severity, summary, advice, channel FROM jobs.tb_alert_event
     WHERE ($1::text IS NULL OR rule = $1) AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [filter.rule ?? null, after, limit + 1],
  );
  const items = rows.slice(0, limit).map((row) => AlertEvent.parse({ ...row, advice: StoredAdvice.parse(row.advice ?? null) }));
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export function ackAlert(db: PgDb, rule: string, note: string, actor: Actor): Promise<AlertState | null> {
  const by = actorName(actor);
  return db.tx(async (client) => {
    const rows = await rowsOf(
      client,
      `UPDATE jobs.tb_alert_state SET acked_by = $2, acked_at = now(), ack_note = $3 WHERE rule = $1 AND firing RETURNING ${STATE_COLUMNS}`,
      [noNul(rule), by, noNul(note)],
    );
    if (!rows[0]) return null;
    await writeAudit(client, by, 'alert.ack', rule, null, { note: noNul(note) });
    return toState(rows[0]);
  });
}

export function silenceAlert(db: PgDb, rule: string, until: Date | null, actor: Actor, reason: string | null): Promise<AlertState | null> {
  const by = actorName(actor);
  const why = reasonOf(reason);
  return db.tx(async (client) => {
    const rows = await rowsOf(
      client,
      `UPDATE jobs.tb_alert_state SET silenced_until = $2, silenced_by = $3 WHERE rule = $1 RETURNING ${STATE_COLUMNS}`,
      [noNul(rule), until?.toISOString() ?? null, until === null ? null : by],
    );
    if (!rows[0]) return null;
    await writeAudit(client, by, 'alert.silence', rule, null, { until: until?.toISOString() ?? null, reason: why });
    return toState(rows[0]);
  });
}
