import type { AlertAdvice, AlertRule, AlertVerdict } from '../../shared/alerts.ts';
import { durationSeconds } from '../../shared/alerts.ts';
import { waitingForProbe } from '../../shared/breakerRecord.ts';
import type { BreakerRecord, ExecutionType, WorkerInfo } from '../../shared/domain.ts';
import type { ServiceOutcomes } from '../store/store.ts';

/**
 * Alert rules, evaluated without I/O: the inputs come from the kept tallies and small tables (per-minute
 * rollups, breakers, workers, the earliest pending run_at), gathered once per evaluation by
 * alertEvaluator.ts, never from a scan of the job history.
 */
export interface AlertInputs {
  now: Date;
  /** Per service, for each window (in seconds) the rules ask for: from the per-minute rollups. */
  outcomes: ReadonlyMap<number, ServiceOutcomes[]>;
  breakers: BreakerRecord[];
  /** The registry's services' kinds: a breaker_open alert's advice says how to check one by hand. */
  serviceKinds: ReadonlyMap<string, ExecutionType>;
  /** The method of each HTTP service's jobs that do not GET (untriedCall): a check by hand cannot pass for them. */
  untriedCalls?: ReadonlyMap<string, string>;
  /** With `lost` derived against the worker-lost threshold. */
  workers: WorkerInfo[];
  /** The earliest run_at of any pending job; a due job when it is in the past. */
  oldestPendingRunAt: string | null;
  /** The same for each queue a rule names (`read` false past the lanes a read takes on); empty when none does. */
  oldestPendingOf: Array<{ queue: string; run_at: string | null; read: boolean }>;
  /** Which rules were firing before this evaluation: a rule whose input could not be read keeps its state. */
  wasFiring: ReadonlySet<string>;
  /**
   * Schedules whose fire was missed (more than two minutes past, no worker fired them); null when the
   * evaluator was given no way to read them (a `schedule_missed` rule then never fires and says why).
   */
  missedSchedules: Array<{ schedule: string; due_at: string }> | null;
  /** What an operator holds dispatch with ('safe mode', 'the emergency stop'), or null: no job is meant to start then. */
  dispatchHeldBy: string | null;
}

/** The rollups are per minute: a window covers whole minutes, the current one included. */
export function outcomeWindows(rules: AlertRule[]): number[] {
  const windows = new Set<number>();
  for (const rule of rules) if (rule.kind === 'failure_rate' || rule.kind === 'dead_letters') windows.add(durationSeconds(rule.window));
  return [...windows];
}

function totals(inputs: AlertInputs, windowS: number, service: string | undefined) {
  const rows = (inputs.outcomes.get(windowS) ?? []).filter((o) => service === undefined || o.service_name === service);
  return rows.reduce((t, o) => ({ completed: t.completed + o.completed, failed: t.failed + o.failed, retried: t.retried + o.retried }), { completed: 0, failed: 0, retried: 0 });
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const where = (service: string | undefined) => (service ? ` of ${service}` : '');

function ageText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 360) / 10}h`;
}

export function evaluateRule(rule: AlertRule, inputs: AlertInputs): AlertVerdict {
  const now = inputs.now.getTime();
  const verdict = (firing: boolean, summary: string, value: number | null, advice: AlertAdvice[] = []): AlertVerdict => ({ rule: rule.name, firing, summary, advice, value });
  switch (rule.kind) {
    case 'failure_rate': {
      const t = totals(inputs, durationSeconds(rule.window), rule.service);
      const failures = t.failed + t.retried;
      const attempts = failures + t.completed;
      const rate = attempts === 0 ? 0 : failures / attempts;
      const said = `${failures} of ${attempts} attempts${where(rule.service)} failed (${pct(rate)}) in the last ${rule.window}`;
      if (attempts < rule.min_volume) return verdict(false, `${said}; below the minimum volume of ${rule.min_volume}`, rate);
      return verdict(rate > rule.threshold, `${said}; threshold ${pct(rule.threshold)}`, rate);
    }
    case 'dead_letters': {
      const { failed } = totals(inputs, durationSeconds(rule.window), rule.service);
      return verdict(failed >= rule.count, `${failed} job(s)${where(rule.service)} went to the dead-letter queue in the last ${rule.window} (alert at ${rule.count})`, failed);
    }
    case 'oldest_due': {
      const limitMs = durationSeconds(rule.older_than) * 1000;
      const of = rule.queue === undefined ? '' : ` in queue ${rule.queue}`;
      let oldest = inputs.oldestPendingRunAt;
      if (rule.queue !== undefined) {
        const named = inputs.oldestPendingOf.find((q) => q.queue === rule.queue);
        if (named && !named.read) {
          const oldestAnywhere = oldest === null ? null : Date.parse(oldest);
          // Nothing anywhere has waited that long, so no queue can be behind, read or not.
          if (oldestAnywhere === null || now - oldestAnywhere <= limitMs) return verdict(false, `no job anywhere has waited past ${rule.older_than}`, 0);
          return verdict(inputs.wasFiring.has(rule.name), `the oldest job${of} was not read (too many queues, services and priorities hold pending jobs); its state is kept`, null);
        }
        oldest = named?.run_at ?? null;
      }
      const runAt = oldest === null ? null : Date.parse(oldest);
      if (runAt === null || runAt > now) return verdict(false, `no job${of} is waiting past its time`, 0);
      const age = now - runAt;
      return verdict(age > limitMs, `the oldest due job${of} has waited ${ageText(age)} (alert past ${rule.older_than})`, age / 1000);
    }
    case 'breaker_open': {
      const limitMs = durationSeconds(rule.older_than) * 1000;
      // An outage lasts from when the breaker left closed until it closes again (or an operator forces it
      // closed): each failed half-open probe reopens it and moves opened_at, which must neither resolve the
      // alert nor restart its clock.
      const open = inputs.breakers
        .filter((b) => b.state !== 'closed' && b.mode !== 'force_closed' && (rule.service === undefined || b.service_name === rule.service))
        .map((b) => ({
          service: b.service_name,
          // Half-open with no probe running, it fires on until a job comes or an operator resets it: said so,
          // and how to check the service by hand, as facts each interface words when it reads the alert.
          waiting: waitingForProbe(b),
          halfOpen: b.state === 'half_open',
          // left_closed_at is null only on a record an older opsdeck wrote: its last opening is all there is.
          for: now - Date.parse(b.left_closed_at ?? b.opened_at ?? b.last_transition_at ?? inputs.now.toISOString()),
        }));
      const long = open.filter((b) => b.for >= limitMs);
      if (long.length === 0) return verdict(false, open.length === 0 ? `no breaker${where(rule.service)} is open` : `open for less than ${rule.older_than}: ${open.map((b) => b.service).join(', ')}`, open.length);
      const advice = long.flatMap((b) => {
        if (b.waiting === null) return [];
        const untried = inputs.untriedCalls?.get(b.service);
        return [{ service: b.service, kind: inputs.serviceKinds.get(b.service) ?? null, ...(untried === undefined ? {} : { untried }) }];
      });
      const how = (b: (typeof long)[number]) => (b.halfOpen ? ` (${b.waiting ?? 'half-open'})` : '');
      return verdict(true, `breaker open: ${long.map((b) => `${b.service} for ${ageText(b.for)}${how(b)}`).join('; ')}`, long.length, advice);
    }
    case 'worker_lost': {
      const within = durationSeconds(rule.within) * 1000;
      const lost = inputs.workers.filter((w) => w.lost && w.state !== 'stopped' && now - Date.parse(w.last_heartbeat_at) <= within);
      if (lost.length === 0) return verdict(false, 'every worker answers', 0);
      return verdict(true, `lost: ${lost.map((w) => `${w.id} on ${w.host} (last heartbeat ${ageText(now - Date.parse(w.last_heartbeat_at))} ago)`).join(', ')}`, lost.length);
    }
    case 'no_live_worker': {
      const due = inputs.oldestPendingRunAt !== null && Date.parse(inputs.oldestPendingRunAt) <= now;
      // A held worker is live: it runs the due jobs once the control plane lets it (dispatchHeldBy says so).
      const live = inputs.workers.filter((w) => !w.lost && (w.state === 'running' || w.state === 'held')).length;
      if (!due) return verdict(false, `no job is due (${live} live worker(s))`, live);
      if (inputs.dispatchHeldBy !== null) return verdict(false, `jobs are due and wait: ${inputs.dispatchHeldBy} holds dispatch`, live);
      return verdict(live === 0, live === 0 ? 'jobs are due and no live worker is running them' : `${live} live worker(s) for the due jobs`, live);
    }
    case 'schedule_missed': {
      if (inputs.missedSchedules === null) return verdict(false, 'this evaluator cannot read the schedules', null);
      const missed = inputs.missedSchedules.filter((m) => rule.schedule === undefined || m.schedule === rule.schedule);
      if (missed.length === 0) return verdict(false, 'every schedule fired on time', 0);
      return verdict(true, `missed: ${missed.map((m) => `${m.schedule} (due ${m.due_at})`).join(', ')}`, missed.length);
    }
  }
}
