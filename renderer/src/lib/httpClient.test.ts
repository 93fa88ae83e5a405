import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorMessage } from './callError.ts';
import { HostUnreachableError } from './hostUnreachable.ts';
import { answerWithoutResultError, reconnectDelay, unreachableError } from './httpClient.ts';

test('a host that cannot be reached is unavailable, said to be opsdeck serve gone (not the store), with what to check', () => {
  const error = unreachableError();
  assert.equal(error.code, 'unavailable');
  assert.ok(error instanceof HostUnreachableError);
  assert.equal(error.host, 'serve');
  assert.match(errorMessage(error), /opsdeck serve/);
});

test('an answer without our envelope: 401 and 403 are a lost session, anything else the host failing', () => {
  for (const status of [401, 403]) {
    const error = answerWithoutResultError(status);
    assert.equal(error.code, 'forbidden');
    assert.match(error.message, /not signed in/);
  }
  const error = answerWithoutResultError(502);
  assert.equal(error.code, 'unavailable');
  assert.match(error.message, /HTTP 502/);
});

test('reconnecting waits longer after each failure, up to a ceiling, never less than the floor', () => {
  assert.equal(reconnectDelay(1, 0), 500);
  assert.equal(reconnectDelay(1, 0.999_999).toFixed(0), '1500');
  assert.ok(reconnectDelay(3, 0.5) > reconnectDelay(2, 0.5));
  assert.equal(reconnectDelay(50, 1), 500 + 15_000);
  assert.equal(reconnectDelay(6, 1), reconnectDelay(50, 1));
});
