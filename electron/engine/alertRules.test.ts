import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertRule, alertText } from '../../shared/alerts.ts';
import { CLI_BREAKER_WORDS, newBreakerRecord } from '../../shared/breakerRecord.ts';
import type { WorkerInfo } from '../../shared/domain.ts';
import type { AlertInputs } from './alertRules.ts';
import { evaluateRule, outcomeWindows } from './alertRules.ts';

const now = new Date('2026-12-04T12:00:00.000Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
const rule = (raw: Record<string, unknown>) => AlertRule.parse({ name: 'r', ...raw });

function inputs(extra: Partial<AlertInputs> = {}): AlertInputs {
  return { now, outcomes: new Map(), breakers: [], serviceKinds: new Map(), workers: [], oldestPendingRunAt: null, oldestPendingOf: [], wasFiring: new Set<string>(), missedSchedules: null, dispatchHeldBy: null, ...extra };
}

function worker(id: string, heartbeatAgoS: number, extra: Partial<WorkerInfo> = {}): WorkerInfo {
  return { id, name: null, host: 'h1', pid: 1, version: '0', started_at: ago(3600), concurrency: 4, queues: null, services: null, in_flight: 0, state: 'running', last_heartbeat_at: ago(heartbeatAgoS), memory: null, cpu_percent: null, pool: null, registry: null, cannot_run: null, lost: heartbeatAgoS > 10, ...extra };
}

describe('alert rules', () => {
  test('failure_rate fires above the threshold once the minimum volume is there, and resolves below it', () => {
    const r = rule({ kind: 'failure_rate', threshold: 0.5, window: '5m', min_volume: 10 });
    assert.deepEqual(outcomeWindows([r]), [300]);
    const at = (completed: number, failed: number, retried: number, service = 'api') => inputs({ outcomes: new Map([[300, [{ service_name: service, completed, failed, retried }]]]) });
    const spike = evaluateRule(r, at(4, 3, 5));
    assert.equal(spike.firing, true);
    assert.equal(spike.value, 8 / 12);
    assert.match(spike.summary, /8 of 12 attempts failed \(66\.7%\) in the last 5m/);
    assert.equal(evaluateRule(r, at(10, 1, 1)).firing, false, 'two failures in twelve');
    const few = evaluateRule(r, at(0, 3, 3));
    assert.equal(few.firing, false, 'six attempts, all failed, is below the minimum volume');
    assert.match(few.summary, /below the minimum volume of 10/);
    assert.equal(evaluateRule(r, inputs()).firing, false, 'no traffic');
    const scoped = rule({ kind: 'failure_rate', threshold: 0.5, service: 'mailer', min_volume: 1 });
    assert.equal(evaluateRule(scoped, at(0, 20, 0, 'api')).firing, false, 'another service failing is not this rule');
  });

  test('dead_letters fires at the count within the window', () => {
    const r = rule({ kind: 'dead_letters', window: '10m', count: 3 });
    const at = (failed: number) => inputs({ outcomes: new Map([[600, [{ service_name: 'api', completed: 0, failed, retried: 0 }, { service_name: 'b', completed: 0, failed: 1, retried: 0 }]]]) });
    assert.equal(evaluateRule(r, at(2)).firing, true, 'two here and one of another service: three');
    assert.equal(evaluateRule(r, at(1)).firing, false);
  });

  test('oldest_due fires when the earliest due job waited past the limit; a job scheduled later is not due', () => {
    const r = rule({ kind: 'oldest_due', older_than: '10m' });
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(11 * 60) })).firing, true);
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(9 * 60) })).firing, false);
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(-3600) })).firing, false);
    assert.equal(evaluateRule(r, inputs()).firing, false);
  });

  test('oldest_due of a queue reads that queue alone; unread, it keeps its state unless nothing anywhere is that late', () => {
    const r = rule({ kind: 'oldest_due', queue: 'billing', older_than: '10m' });
    const read = (runAt: string | null) => [{ queue: 'billing', run_at: runAt, read: true }];
    const quiet = evaluateRule(r, inputs({ oldestPendingRunAt: ago(60 * 60), oldestPendingOf: read(ago(9 * 60)) }));
    assert.equal(quiet.firing, false, 'another queue waiting an hour is not this rule\'s');
    assert.match(quiet.summary, /in queue billing has waited 9m/);
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(60 * 60), oldestPendingOf: read(ago(11 * 60)) })).firing, true);
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(60 * 60), oldestPendingOf: read(null) })).firing, false, 'a queue with no pending job waits for nothing');
    const unread = [{ queue: 'billing', run_at: null, read: false }];
    const kept = evaluateRule({ ...r, name: 'billing-behind' }, inputs({ oldestPendingRunAt: ago(60 * 60), oldestPendingOf: unread, wasFiring: new Set(['billing-behind']) }));
    assert.equal(kept.firing, true, 'firing before, and not read now: still firing');
    assert.match(kept.summary, /in queue billing was not read .* its state is kept/);
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(60 * 60), oldestPendingOf: unread })).firing, false, 'quiet before: still quiet');
    const early = evaluateRule({ ...r, name: 'billing-behind' }, inputs({ oldestPendingRunAt: ago(5 * 60), oldestPendingOf: unread, wasFiring: new Set(['billing-behind']) }));
    assert.equal(early.firing, false, 'nothing anywhere has waited 10m: resolved without the read');
  });

  test('breaker_open fires for a breaker open longer than the limit', () => {
    const r = rule({ kind: 'breaker_open', older_than: '5m' });
    const open = (service: string, forS: number) => ({ ...newBreakerRecord(service, now), state: 'open' as const, opened_at: ago(forS) });
    const long = evaluateRule(r, inputs({ breakers: [open('payments', 400), open('mailer', 10)] }));
    assert.equal(long.firing, true);
    assert.match(long.summary, /payments for 7m/);
    assert.doesNotMatch(long.summary, /mailer/);
    assert.equal(evaluateRule(r, inputs({ breakers: [open('mailer', 10)] })).firing, false);
    assert.equal(evaluateRule(rule({ kind: 'breaker_open', service: 'mailer', older_than: '5m' }), inputs({ breakers: [open('payments', 400)] })).firing, false);
  });

  test('breaker_open measures the outage from when the breaker left closed: a half-open probe and a reopening neither resolve it nor restart it', () => {
    const r = rule({ kind: 'breaker_open', older_than: '1m' });
    // Left closed 68 s ago; recovery timeouts of 20 s since: half-open now, or reopened 5 s ago by a failed probe.
    const out = (state: 'open' | 'half_open', openedS: number) => ({ ...newBreakerRecord('model_api', now), state, opened_at: ago(openedS), left_closed_at: ago(68) });
    const reopened = evaluateRule(r, inputs({ breakers: [out('open', 5)] }));
    assert.equal(reopened.firing, true);
    assert.equal(reopened.summary, 'breaker open: model_api for 68s');
    const probing = evaluateRule(r, inputs({ breakers: [{ ...out('half_open', 25), probes_in_flight: 1 }] }));
    assert.equal(probing.firing, true, 'half-open is still the same outage');
    assert.equal(probing.summary, 'breaker open: model_api for 68s (half-open)');
    const closed = evaluateRule(r, inputs({ breakers: [{ ...newBreakerRecord('model_api', now), last_transition_at: ago(1) }] }));
    assert.equal(closed.firing, false);
    assert.equal(closed.summary, 'no breaker is open');
    const brief = evaluateRule(r, inputs({ breakers: [{ ...out('open', 5), left_closed_at: ago(30) }] }));
    assert.equal(brief.firing, false);
    assert.equal(brief.summary, 'open for less than 1m: model_api');
    assert.equal(evaluateRule(r, inputs({ breakers: [{ ...out('half_open', 25), mode: 'force_closed' }] })).firing, false, 'forced closed by an operator: jobs run again');
    const written = evaluateRule(r, inputs({ breakers: [{ ...out('open', 90), left_closed_at: null }] }));
    assert.equal(written.firing, true, 'a record an older opsdeck wrote is measured from its opening');
  });

  test('breaker_open of a half-open breaker no job has come to probe: it still fires, and says since when, what it waits for and how to check by hand', () => {
    const r = rule({ kind: 'breaker_open', older_than: '1m' });
    const waiting = (service: string) => ({ ...newBreakerRecord(service, now), state: 'half_open' as const, opened_at: ago(400), left_closed_at: ago(400), last_transition_at: ago(340) });
    const serviceKinds = new Map([['model_api', 'http' as const], ['nightly_export', 'shell' as const]]);
    const http = evaluateRule(r, inputs({ breakers: [waiting('model_api')], serviceKinds }));
    assert.equal(http.firing, true, 'the service has not proved healthy: the alert fires on');
    assert.equal(http.summary, `breaker open: model_api for 7m (half-open since ${ago(340)}, waiting for a job of model_api to probe it)`);
    assert.deepEqual(http.advice, [{ service: 'model_api', kind: 'http' }], 'how to check it by hand, as facts each interface words');
    assert.equal(
      alertText(http.summary, http.advice, CLI_BREAKER_WORDS),
      `${http.summary}. For model_api: check it by hand with opsdeck test-connectivity model_api, and once it passes, opsdeck breaker reset model_api closes it`,
    );
    const both = evaluateRule(r, inputs({ breakers: [waiting('model_api'), waiting('nightly_export'), { ...newBreakerRecord('plain_api', now), state: 'open' as const, opened_at: ago(400), left_closed_at: ago(400) }], serviceKinds }));
    assert.match(both.summary, /probe it\); nightly_export for 7m \(half-open since \S+, waiting for a job of nightly_export to probe it\); plain_api for 7m$/);
    assert.deepEqual(both.advice, [{ service: 'model_api', kind: 'http' }, { service: 'nightly_export', kind: 'shell' }], 'an open breaker waits for its recovery timeout: no advice');
    const posting = evaluateRule(r, inputs({ breakers: [waiting('model_api')], serviceKinds, untriedCalls: new Map([['model_api', 'POST']]) }));
    assert.deepEqual(posting.advice, [{ service: 'model_api', kind: 'http', untried: 'POST' }], 'its jobs POST, which a check by hand never sends');
    assert.equal(
      alertText(posting.summary, posting.advice, CLI_BREAKER_WORDS),
      `${posting.summary}. For model_api: check it by hand with opsdeck test-connectivity model_api, which cannot pass for it, as it does not send its jobs' POST: once the breaker's last error and the recent failures it shows say their cause is gone, opsdeck breaker reset model_api closes it`,
    );
    const unknown = evaluateRule(r, inputs({ breakers: [waiting('old_api')] }));
    assert.deepEqual(unknown.advice, [{ service: 'old_api', kind: null }]);
    assert.match(alertText(unknown.summary, unknown.advice, CLI_BREAKER_WORDS), /\. For old_api: check the service by hand, and once it passes, opsdeck breaker reset old_api closes it$/);
  });

  test('worker_lost fires for a recently lost worker, not one that stopped or was lost long ago', () => {
    const r = rule({ kind: 'worker_lost', within: '1h' });
    assert.equal(evaluateRule(r, inputs({ workers: [worker('a', 1), worker('b', 30)] })).firing, true);
    assert.equal(evaluateRule(r, inputs({ workers: [worker('a', 1), worker('b', 30, { state: 'stopped' })] })).firing, false);
    assert.equal(evaluateRule(r, inputs({ workers: [worker('b', 7200)] })).firing, false);
  });

  test('no_live_worker fires when jobs are due and no worker runs', () => {
    const r = rule({ kind: 'no_live_worker' });
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(5), workers: [worker('a', 30)] })).firing, true);
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(5), workers: [worker('a', 1)] })).firing, false);
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(5), workers: [worker('a', 1, { state: 'draining' })] })).firing, true, 'a draining worker takes no job');
    assert.equal(evaluateRule(r, inputs({ oldestPendingRunAt: ago(-60), workers: [] })).firing, false, 'nothing due yet');
    const held = evaluateRule(r, inputs({ oldestPendingRunAt: ago(5), workers: [worker('a', 1, { state: 'held' })], dispatchHeldBy: 'safe mode' }));
    assert.equal(held.firing, false, 'an operator who held dispatch is not paged for it');
    assert.equal(held.summary, 'jobs are due and wait: safe mode holds dispatch');
    const released = evaluateRule(r, inputs({ oldestPendingRunAt: ago(5), workers: [worker('a', 1, { state: 'held' })] }));
    assert.deepEqual([released.firing, released.value], [false, 1], 'a worker still held a moment after safe mode was lifted is live: it takes the jobs at its next read');
  });

  test('schedule_missed fires for a missed schedule, and says so when schedules are not there', () => {
    const r = rule({ kind: 'schedule_missed', schedule: 'nightly' });
    assert.equal(evaluateRule(r, inputs({ missedSchedules: [{ schedule: 'nightly', due_at: ago(120) }] })).firing, true);
    assert.equal(evaluateRule(r, inputs({ missedSchedules: [{ schedule: 'hourly', due_at: ago(120) }] })).firing, false);
    const absent = evaluateRule(r, inputs());
    assert.equal(absent.firing, false);
    assert.match(absent.summary, /cannot read the schedules/);
  });

  test('rules are validated: names unique, channels name env vars, durations readable', () => {
    assert.equal(AlertRule.safeParse({ name: 'x', kind: 'failure_rate', threshold: 2 }).success, false);
    assert.equal(AlertRule.safeParse({ name: 'x', kind: 'oldest_due', older_than: 'soon' }).success, false);
    assert.equal(AlertRule.safeParse({ name: 'x', kind: 'worker_lost', channels: [{ type: 'webhook', url_env_var: 'https://hooks.example/x' }] }).success, false);
    assert.equal(AlertRule.safeParse({ name: 'x', kind: 'worker_lost', channels: [{ type: 'webhook', url: 'https://hooks.example/x' }] }).success, false);
  });
});
