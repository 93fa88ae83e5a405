import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BreakerRecord } from '../../shared/domain.ts';
import { CircuitBreakerConfig } from '../../shared/registry.ts';
import type { BreakerEvent } from './breakerMachine.ts';
import { breakerHold, canDispatch, dispatchAllowance, stepBreaker, tickDue, windowCounts } from './breakerMachine.ts';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';

const config = CircuitBreakerConfig.parse({
  failure_threshold: 3,
  minimum_volume: 4,
  window: 60,
  recovery_timeout: 30,
  half_open_probes: 2,
  probe_timeout: 10,
});
const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);

function run(record: BreakerRecord, events: BreakerEvent[]) {
  const transitions: string[] = [];
  let current = record;
  for (const event of events) {
    const step = stepBreaker(current, config, event);
    if (step.transition) transitions.push(`${step.transition.from}->${step.transition.to}`);
    current = step.record;
  }
  return { record: current, transitions };
}

function opened(): BreakerRecord {
  const { record } = run(newBreakerRecord('svc', at(0)), [
    { type: 'success', at: at(1) },
    { type: 'failure', at: at(2), error: 'boom' },
    { type: 'failure', at: at(3), error: 'boom' },
    { type: 'failure', at: at(4), error: 'boom' },
  ]);
  assert.equal(record.state, 'open');
  return record;
}

test('closed opens when failures reach the threshold with the minimum volume', () => {
  const { record, transitions } = run(newBreakerRecord('svc', at(0)), [
    { type: 'failure', at: at(1) },
    { type: 'failure', at: at(2) },
    { type: 'failure', at: at(3) },
  ]);
  assert.equal(record.state, 'closed', 'three calls are below the minimum volume of four');
  assert.deepEqual(transitions, []);
  const next = run(record, [{ type: 'failure', at: at(4), error: 'HTTP 503' }]);
  assert.deepEqual(next.transitions, ['closed->open']);
  assert.equal(next.record.opened_at, at(4).toISOString());
  assert.equal(next.record.left_closed_at, at(4).toISOString());
  assert.equal(next.record.last_error, 'HTTP 503');
  assert.equal(canDispatch(next.record, config, at(5)), false);
});

test('the reason it opened counts failures and calls in words that agree with one of each', () => {
  const once = CircuitBreakerConfig.parse({ failure_threshold: 1, minimum_volume: 1, window: 60 });
  const step = stepBreaker(newBreakerRecord('svc', at(0)), once, { type: 'failure', at: at(1), error: 'HTTP 503' });
  assert.equal(step.transition?.reason, '1 failure in 1 call within 60s');
  const { transitions } = run(newBreakerRecord('svc', at(0)), [1, 2, 3, 4].map((s) => ({ type: 'failure' as const, at: at(s) })));
  assert.deepEqual(transitions, ['closed->open']);
  const many = [1, 2, 3, 4].reduce<{ record: BreakerRecord; reason: string | null }>((acc, s) => {
    const next = stepBreaker(acc.record, config, { type: 'failure', at: at(s) });
    return { record: next.record, reason: next.transition?.reason ?? acc.reason };
  }, { record: newBreakerRecord('svc', at(0)), reason: null });
  assert.equal(many.reason, '4 failures in 4 calls within 60s');
});

test('every change bumps the version; a no-op returns the same record', () => {
  const fresh = newBreakerRecord('svc', at(0));
  const step = stepBreaker(fresh, config, { type: 'success', at: at(1) });
  assert.equal(step.record.version, 1);
  const idle = stepBreaker(step.record, config, { type: 'tick', at: at(2) });
  assert.equal(idle.record, step.record);
});

test('the rolling window forgets old failures: the previous bucket weighs by its overlap', () => {
  const { record } = run(newBreakerRecord('svc', at(0)), [
    { type: 'failure', at: at(1) },
    { type: 'failure', at: at(2) },
    { type: 'success', at: at(3) },
    { type: 'success', at: at(4) },
  ]);
  assert.deepEqual(windowCounts(record, config, at(30)), { failures: 2, calls: 4 });
  const half = windowCounts(record, config, at(90));
  assert.equal(half.failures, 1);
  assert.equal(half.calls, 2);
  assert.deepEqual(windowCounts(record, config, at(200)), { failures: 0, calls: 0 });
  const later = run(record, [
    { type: 'failure', at: at(110) },
    { type: 'success', at: at(111) },
  ]);
  assert.equal(later.record.state, 'closed', 'old failures have mostly left the window');
});

test('open → half_open after the recovery timeout, probes limited, success closes', () => {
  const record = opened();
  assert.equal(tickDue(record, config, at(20)), false);
  assert.equal(stepBreaker(record, config, { type: 'tick', at: at(20) }).record.state, 'open');
  assert.equal(tickDue(record, config, at(34)), true);
  const half = run(record, [{ type: 'tick', at: at(34) }]);
  assert.deepEqual(half.transitions, ['open->half_open']);
  assert.equal(half.record.left_closed_at, at(4).toISOString());
  assert.equal(dispatchAllowance(half.record, config, at(34)), 2);
  const probing = run(half.record, [
    { type: 'probe_start', at: at(35) },
    { type: 'probe_start', at: at(35) },
    { type: 'probe_start', at: at(35) },
  ]);
  assert.equal(probing.record.probes_in_flight, 2, 'no more than half_open_probes');
  assert.equal(dispatchAllowance(probing.record, config, at(36)), 0);
  const closed = run(probing.record, [{ type: 'success', at: at(37) }]);
  assert.deepEqual(closed.transitions, ['half_open->closed']);
  assert.equal(closed.record.left_closed_at, null, 'closed again: the outage is over');
  assert.equal(closed.record.window_failures, 0);
  assert.equal(closed.record.probes_in_flight, 0);
  assert.equal(dispatchAllowance(closed.record, config, at(38)), Number.POSITIVE_INFINITY);
});

test('a failed probe reopens the breaker and restarts the recovery clock', () => {
  const half = run(opened(), [{ type: 'tick', at: at(40) }, { type: 'probe_start', at: at(41) }]);
  const back = run(half.record, [{ type: 'failure', at: at(42), error: 'still down' }]);
  assert.deepEqual(back.transitions, ['half_open->open']);
  assert.equal(back.record.opened_at, at(42).toISOString());
  assert.equal(back.record.left_closed_at, at(4).toISOString(), 'the outage began when it left closed');
  assert.equal(tickDue(back.record, config, at(60)), false);
  assert.equal(tickDue(back.record, config, at(72)), true);
});

test('a lost probe cannot wedge the breaker: it times out back to open, then probes again', () => {
  const half = run(opened(), [{ type: 'tick', at: at(40) }, { type: 'probe_start', at: at(41) }]);
  assert.equal(dispatchAllowance(half.record, config, at(45)), 1);
  assert.equal(dispatchAllowance(half.record, config, at(51)), 0, 'expired probe: nothing more starts');
  assert.equal(tickDue(half.record, config, at(51)), true);
  const timedOut = run(half.record, [{ type: 'tick', at: at(51) }]);
  assert.deepEqual(timedOut.transitions, ['half_open->open']);
  const again = run(timedOut.record, [{ type: 'tick', at: at(82) }]);
  assert.deepEqual(again.transitions, ['open->half_open']);
  assert.equal(again.record.probes_in_flight, 0);
  const explicit = run(half.record, [{ type: 'probe_timeout', at: at(43) }]);
  assert.deepEqual(explicit.transitions, ['half_open->open']);
});

test('a probe that ends without a verdict frees its slot', () => {
  const half = run(opened(), [{ type: 'tick', at: at(40) }, { type: 'probe_start', at: at(41) }, { type: 'probe_start', at: at(41) }]);
  assert.equal(dispatchAllowance(half.record, config, at(42)), 0);
  const released = run(half.record, [{ type: 'probe_release', at: at(42) }]);
  assert.equal(released.record.state, 'half_open');
  assert.equal(dispatchAllowance(released.record, config, at(43)), 1);
});

test('force_open never dispatches and never probes; force_closed never trips', () => {
  const forcedOpen: BreakerRecord = { ...newBreakerRecord('svc', at(0)), mode: 'force_open' };
  assert.equal(canDispatch(forcedOpen, config, at(1)), false);
  const stillForced = run({ ...opened(), mode: 'force_open' }, [
    { type: 'tick', at: at(100) },
    { type: 'probe_start', at: at(101) },
    { type: 'success', at: at(102) },
  ]);
  assert.deepEqual(stillForced.transitions, []);
  assert.equal(canDispatch(stillForced.record, config, at(103)), false);

  const forcedClosed = run({ ...newBreakerRecord('svc', at(0)), mode: 'force_closed' }, [
    { type: 'failure', at: at(1) },
    { type: 'failure', at: at(2) },
    { type: 'failure', at: at(3) },
    { type: 'failure', at: at(4) },
    { type: 'failure', at: at(5) },
  ]);
  assert.deepEqual(forcedClosed.transitions, []);
  assert.equal(forcedClosed.record.window_failures, 5, 'still counted for the view');
  assert.equal(canDispatch(forcedClosed.record, config, at(6)), true);
});

test('what a breaker holding its jobs waits for: its store to hear of a move, its recovery before the first probe, or more than time', () => {
  assert.equal(breakerHold(null, config, at(0)), null);
  assert.equal(breakerHold(newBreakerRecord('svc', at(0)), config, at(0)), null, 'closed holds nothing');
  const tripped = opened();
  assert.equal(breakerHold(tripped, config, at(20)), 'recovering', 'tripped, its first probe still to come');
  assert.equal(breakerHold(tripped, config, at(34)), 'moving', 'its recovery timeout passed: half-open at the next look');
  const half = run(tripped, [{ type: 'tick', at: at(34) }]).record;
  assert.equal(breakerHold(half, config, at(34)), null, 'probe slots free: it lets jobs start');
  const probing = run(half, [{ type: 'probe_start', at: at(35) }, { type: 'probe_start', at: at(35) }]).record;
  assert.equal(breakerHold(probing, config, at(36)), 'moving', 'its probes\' verdict is to come');
  assert.equal(breakerHold(probing, config, at(50)), 'moving', 'its probes timed out: open at the next look');
  const failed = run(probing, [{ type: 'failure', at: at(37), error: 'still down' }]).record;
  assert.equal(breakerHold(failed, config, at(40)), 'held', 'a probe failed: the upstream fails still');
  assert.equal(breakerHold(failed, config, at(67)), 'moving', 'its recovery passed again: it probes at the next look');
  const timedOut = run(probing, [{ type: 'tick', at: at(50) }]).record;
  assert.equal(breakerHold(timedOut, config, at(51)), 'held', 'a probe that timed out failed too');
  assert.equal(breakerHold({ ...tripped, mode: 'force_open' }, config, at(20)), 'held');
  assert.equal(breakerHold({ ...tripped, mode: 'force_open' }, config, at(100)), 'held', 'forced open: no recovery lets it go');
  assert.equal(breakerHold({ ...tripped, mode: 'force_closed' }, config, at(20)), null);
});

test('no record means closed: dispatch freely', () => {
  assert.equal(dispatchAllowance(null, config, at(0)), Number.POSITIVE_INFINITY);
});

test('a counted success is that many successes at one instant: closed, rolled over, and closing a half-open breaker', () => {
  const singles = (record: BreakerRecord, n: number, when: Date) =>
    run(record, Array.from({ length: n }, (): BreakerEvent => ({ type: 'success', at: when })));
  const counted = (record: BreakerRecord, n: number, when: Date) => run(record, [{ type: 'success', at: when, count: n }]);
  // version counts steps in memory; the store sets its own on save.
  const same = (a: ReturnType<typeof run>, b: ReturnType<typeof run>) =>
    assert.deepEqual({ ...a, record: { ...a.record, version: 0 } }, { ...b, record: { ...b.record, version: 0 } });
  const fresh = newBreakerRecord('svc', at(0));
  same(counted(fresh, 5, at(1)), singles(fresh, 5, at(1)));
  assert.equal(counted(fresh, 5, at(1)).record.window_successes, 5);
  // Past the window: the count lands in the new window, the old one becomes the previous.
  const busy = singles(fresh, 3, at(1)).record;
  same(counted(busy, 4, at(70)), singles(busy, 4, at(70)));
  const half = run(opened(), [{ type: 'tick', at: at(40) }, { type: 'probe_start', at: at(40) }]).record;
  assert.equal(half.state, 'half_open');
  const closing = counted(half, 3, at(41));
  same(closing, singles(half, 3, at(41)));
  assert.deepEqual(closing.transitions, ['half_open->closed']);
  assert.equal(closing.record.window_successes, 2, 'the first success closed it; the other two count in the fresh window');
});

test('a counted failure is that many failures at one instant: below the threshold, crossing it, and failing a probe', () => {
  const singles = (record: BreakerRecord, n: number, when: Date) =>
    run(record, Array.from({ length: n }, (): BreakerEvent => ({ type: 'failure', at: when, error: 'boom' })));
  const counted = (record: BreakerRecord, n: number, when: Date) => run(record, [{ type: 'failure', at: when, error: 'boom', count: n }]);
  const same = (a: ReturnType<typeof run>, b: ReturnType<typeof run>) =>
    assert.deepEqual({ ...a, record: { ...a.record, version: 0 } }, { ...b, record: { ...b.record, version: 0 } });
  const busy = run(newBreakerRecord('svc', at(0)), [{ type: 'success', at: at(1), count: 3 }]).record;
  same(counted(busy, 2, at(2)), singles(busy, 2, at(2)));
  const crossing = counted(busy, 5, at(2));
  same(crossing, singles(busy, 5, at(2)));
  assert.deepEqual(crossing.transitions, ['closed->open']);
  assert.equal(crossing.record.window_failures, 5);
  const half = run(opened(), [{ type: 'tick', at: at(40) }, { type: 'probe_start', at: at(40) }]).record;
  same(counted(half, 3, at(41)), singles(half, 3, at(41)));
});
