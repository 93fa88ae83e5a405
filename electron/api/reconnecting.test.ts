import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutOff, endedOutage } from './reconnecting.ts';

const span = { from: '2025-05-01T12:01:00.000Z', to: '2025-05-01T12:03:00.000Z' };
const at = (iso: string) => Date.parse(iso);

test('an outage that ended is shown for as long as a live worker gets between heartbeats, from when the store answered again', () => {
  assert.deepEqual(endedOutage(span, 10_000, at('2025-05-01T12:03:09.999Z')), { ...span, reconnect_until: '2025-05-01T12:03:10.000Z' });
  assert.equal(endedOutage(span, 10_000, at('2025-05-01T12:03:10.000Z')), null, 'its grace over');
  assert.equal(endedOutage({ from: span.from, to: null }, 10_000, at(span.from)), null, 'going on: nothing reconnects yet');
  assert.equal(endedOutage(null, 10_000, 0), null);
});

test('a lost worker was cut off when it was live as the store last answered; one lost before, or a live one, is not', () => {
  const outage = { ...span, reconnect_until: '2025-05-01T12:03:10.000Z' };
  const worker = (last: string, lost: boolean) => ({ last_heartbeat_at: last, lost });
  assert.equal(cutOff(worker('2025-05-01T12:00:58.500Z', true), outage, 10_000), true, 'beat 1.5 s before the last answer');
  assert.equal(cutOff(worker('2025-05-01T12:00:50.000Z', true), outage, 10_000), false, 'already lost when the store last answered');
  assert.equal(cutOff(worker('2025-05-01T12:03:01.000Z', false), outage, 10_000), false, 'beat since: live');
});
