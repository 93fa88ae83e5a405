import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextProbeText, openBreaker } from './openBreaker.ts';

const seconds = (s: number) => `${Math.round(s)}s`;
const breaker = { mode: 'auto' as const, state: 'closed' as const, opened_at: null, mode_set_at: null, half_open_in_s: null };

test("an open breaker shows since when and its next probe, not its window's counts, which opening emptied", () => {
  const opened = openBreaker({ ...breaker, state: 'open', opened_at: '2026-12-06T20:46:48.000Z', half_open_in_s: 42 });
  assert.deepEqual(opened, { forced: false, since: '2026-12-06T20:46:48.000Z', probeInS: 42 });
  assert.equal(nextProbeText(opened, seconds), 'in 42s');
  assert.equal(nextProbeText(opened, seconds, 40), 'in 2s', 'counting down from when it was read');
  assert.equal(nextProbeText(opened, seconds, 45), 'now');
  assert.equal(nextProbeText({ forced: false, since: null, probeInS: 0 }, seconds), 'now');
});

test('a forced-open breaker is open since it was forced, and probes nothing', () => {
  const forced = openBreaker({ ...breaker, mode: 'force_open', mode_set_at: '2026-12-06T20:00:00.000Z' });
  assert.deepEqual(forced, { forced: true, since: '2026-12-06T20:00:00.000Z', probeInS: null });
  assert.equal(nextProbeText(forced, seconds), 'none while forced open (auto lets them through)');
});

test('a closed breaker, or one forced closed, shows its window', () => {
  assert.equal(openBreaker(breaker), null);
  assert.equal(openBreaker({ ...breaker, mode: 'force_closed', state: 'open', opened_at: '2026-12-06T20:46:48.000Z', half_open_in_s: 10 }), null);
  assert.equal(openBreaker({ ...breaker, state: 'half_open' }), null);
});
