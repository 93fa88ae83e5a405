import type { AlertAdvice, AlertEvent, AlertState } from '../../../shared/alerts.ts';
import { AlertEvent as AlertEventSchema, AlertState as AlertStateSchema, StoredAdvice } from '../../../shared/alerts.ts';
import type { Actor } from '../../../shared/domain.ts';
import { actorName } from '../actor.ts';
import { clampLimit, decodeCursor, encodeCursor } from '../cursor.ts';
import type { AlertDelivery, AlertTransition, EvaluatedRule, Page, PageRequest, ServiceOutcomes } from '../store.ts';
import { reasonOrNull } from './db.ts';
import { parseJson, toJson } from './rows.ts';
import type { Connection, SqliteDb } from './db.ts';

/** Alert states, transitions, deliveries, acknowledgements and silences (migration 0012; their advice, 0037). */

interface StateRow extends Omit<AlertState, 'firing' | 'advice'> {
  firing: number;
  advice: string | null;
}

interface EventRow extends Omit<AlertEvent, 'advice'> {
  advice: string | null;
}

function prepare(db: Connection) {
  return {
    outcomes: db.prepare<[number], ServiceOutcomes>(
      `SELECT service_name, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried
       FROM tb_job_rollup WHERE minute >= ? GROUP BY service_name ORDER BY service_name`,
    ),
    states: db.prepare<[], StateRow>(`SELECT * FROM tb_alert_state ORDER BY rule`),
    state: db.prepare<[string], StateRow>(`SELECT * FROM tb_alert_state WHERE rule = ?`),
    insertState: db.prepare<[string, string, number, string, string, string | null, number | null, string]>(
      `INSERT INTO tb_alert_state (rule, severity, firing, since, summary, advice, value, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateState: db.prepare<[string, number, string, string, string | null, number | null, string, number, number, number, string]>(
      `UPDATE tb_alert_state SET severity = ?, firing = ?, since = ?, summary = ?, advice = ?, value = ?, evaluated_at = ?,
         acked_by = CASE WHEN ? THEN acked_by END, acked_at = CASE WHEN ? THEN acked_at END,
         ack_note = CASE WHEN ? THEN ack_note END
       WHERE rule = ?`,
    ),
    forgetState: db.prepare<[string]>(`DELETE FROM tb_alert_state WHERE rule = ?`),
    event: db.prepare<[string, string, string, string, string, string | null, string | null]>(
      `INSERT INTO tb_alert_event (at, rule, kind, severity, summary, advice, channel) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    events: db.prepare<[string | null, string | null, number | null, number | null, number], EventRow>(
      `SELECT id, at, rule, kind, severity, summary, advice, channel FROM tb_alert_event
       WHERE (? IS NULL OR rule = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
    ),
    ack: db.prepare<[string, string, string, string]>(
      `UPDATE tb_alert_state SET acked_by = ?, acked_at = ?, ack_note = ? WHERE rule = ? AND firing = 1`,
    ),
    silence: db.prepare<[string | null, string | null, string]>(`UPDATE tb_alert_state SET silenced_until = ?, silenced_by = ? WHERE rule = ?`),
  };
}

/** Advice as its TEXT column keeps it: none is NULL, as on rows written before it was kept. */
function adviceJson(advice: readonly AlertAdvice[]): string | null {
  return advice.length === 0 ? null : toJson(advice);
}

function toState(row: StateRow): AlertState {
  return AlertStateSchema.parse({ ...row, firing: row.firing === 1, advice: StoredAdvice.parse(parseJson(row.advice)) });
}

export class SqliteAlerts {
  readonly #db: SqliteDb;
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#s = prepare(db.connection);
  }

  outcomes(since: Date): ServiceOutcomes[] {
    const minute = Math.floor(since.getTime() / 60_000) * 60;
    return this.#db.guard(() => this.#s.outcomes.all(minute));
  }

  states(): AlertState[] {
    return this.#db.guard(() => this.#s.states.all().map(toState));
  }

  record(results: EvaluatedRule[], at: Date): AlertTransition[] {
    const iso = at.toISOString();
    return this.#db.guard(() =>
      this.#db.write(() => {
        const transitions: AlertTransition[] = [];
        const evaluated = new Set(results.map((r) => r.rule));
        for (const row of this.#s.states.all()) if (!evaluated.has(row.rule)) this.#s.forgetState.run(row.rule);
        for (const r of results) {
          const row = this.#s.state.get(r.rule);
          if (!row) {
            this.#s.insertState.run(r.rule, r.severity, r.firing ? 1 : 0, iso, r.summary, adviceJson(r.advice ?? []), r.value, iso);
            if (r.firing) transitions.push(this.#transition(r, iso, false));
            continue;
          }
          const changed = (row.firing === 1) !== r.firing;
          // A rule that resolves forgets its acknowledgement: the next firing needs a new look.
          const keepAck = r.firing ? 1 : 0;
          this.#s.updateState.run(r.severity, keepAck, changed ? iso : row.since, r.summary, adviceJson(r.advice ?? []), r.value, iso, keepAck, keepAck, keepAck, r.rule);
          if (changed) transitions.push(this.#transition(r, iso, row.silenced_until !== null && row.silenced_until > iso));
        }
        return transitions;
      }),
    );
  }

  #transition(r: EvaluatedRule, at: string, silenced: boolean): AlertTransition {
    const status = r.firing ? 'firing' : 'resolved';
    this.#s.event.run(at, r.rule, status, r.severity, r.summary, adviceJson(r.advice ?? []), null);
    return { rule: r.rule, severity: r.severity, status, summary: r.summary, advice: r.advice ?? [], value: r.value, at, silenced };
  }

  delivery(d: AlertDelivery): void {
    this.#db.guard(() => this.#s.event.run(new Date().toISOString(), d.rule, d.ok ? 'delivered' : 'delivery_failed', d.severity, d.summary.slice(0, 2000), null, d.channel));
  }

  events(filter: { rule?: string }, page: PageRequest): Page<AlertEvent> {
    const limit = clampLimit(page.limit);
    const after = decodeCursor(page.after);
    const rule = filter.rule ?? null;
    const rows = this.#db.guard(() => this.#s.events.all(rule, rule, after, after, limit + 1));
    const items = rows.slice(0, limit).map((row) => AlertEventSchema.parse({ ...row, advice: StoredAdvice.parse(parseJson(row.advice)) }));
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  ack(rule: string, note: string, actor: Actor): AlertState | null {
    const at = new Date().toISOString();
    return this.#db.guard(() =>
      this.#db.write(() => {
        if (this.#s.ack.run(actorName(actor), at, note, rule).changes === 0) return null;
        this.#db.audit(at, actor, 'alert.ack', rule, null, { note });
        const row = this.#s.state.get(rule);
        return row ? toState(row) : null;
      }),
    );
  }

  silence(rule: string, until: Date | null, actor: Actor, reason: string | null): AlertState | null {
    const at = new Date().toISOString();
    const why = reasonOrNull(reason);
    return this.#db.guard(() =>
      this.#db.write(() => {
        const by = until === null ? null : actorName(actor);
        if (this.#s.silence.run(until?.toISOString() ?? null, by, rule).changes === 0) return null;
        this.#db.audit(at, actor, 'alert.silence', rule, null, { until: until?.toISOString() ?? null, reason: why });
        const row = this.#s.state.get(rule);
        return row ? toState(row) : null;
      }),
    );
  }
}
