import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reconnectingLine } from './reconnectingText.ts';

const outage = { from: '2025-05-01T12:01:02.000Z', to: '2025-05-01T12:02:40.000Z', reconnect_until: '2025-05-01T12:02:50.000Z' };

test('workers reconnecting are said to be so with the outage times, never lost nor to be replaced', () => {
  const two = reconnectingLine(2, outage);
  assert.equal(
    two,
    '2 workers are reconnecting: they were live when the store stopped answering (last answer 2025-05-01T12:01:02.000Z), and they have sent no heartbeat since it answered again at 2025-05-01T12:02:40.000Z, which they could not send meanwhile; each counts as lost only if none comes by 2025-05-01T12:02:50.000Z.',
  );
  assert.doesNotMatch(two, /forget|start one|stopped sending/i);
  assert.match(reconnectingLine(1, outage), /^1 worker is reconnecting: it was live .* it has sent no heartbeat .* it counts as lost only if/);
});
