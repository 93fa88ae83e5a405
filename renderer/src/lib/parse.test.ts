import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallError, errorMessage } from './callError.ts';
import { createEventHub } from './eventHub.ts';
import { parseCallResponse } from './parse.ts';

const control = {
  emergency_stop: { engaged: true, by: 'ops@laptop', at: '2026-11-22T08:00:00.000Z', reason: 'db failover' },
  safe_mode: { engaged: false, by: null, at: null, reason: null },
  paused_queues: [],
  version: 7,
};

test('a successful answer is parsed with the call output schema', () => {
  assert.deepEqual(parseCallResponse('control.get', { ok: true, result: control }), control);
});

test('an error envelope becomes a CallError with its code and issues', () => {
  const raw = { ok: false, error: { code: 'invalid_input', message: 'bad input', issues: [{ path: 'id', message: 'expected a number' }] } };
  assert.throws(
    () => parseCallResponse('jobs.get', raw),
    (error: unknown) => error instanceof CallError && error.code === 'invalid_input' && errorMessage(error) === 'bad input (id: expected a number)',
  );
});

test('a result that breaks the contract is reported as internal, naming where', () => {
  assert.throws(
    () => parseCallResponse('control.get', { ok: true, result: { ...control, version: 'seven' } }),
    (error: unknown) => error instanceof CallError && error.code === 'internal' && /control\.get.*version/.test(error.message),
  );
  assert.throws(() => parseCallResponse('control.get', 'nonsense'), (error: unknown) => error instanceof CallError && error.code === 'internal');
});

test('the event hub delivers valid events and drops unknown or malformed ones', () => {
  const hub = createEventHub();
  const seen: unknown[] = [];
  const off = hub.on('control.changed', (payload) => seen.push(payload.version));
  hub.emit('control.changed', control);
  hub.emit('control.changed', { version: 'x' });
  hub.emit('no.such.event', control);
  off();
  hub.emit('control.changed', control);
  assert.deepEqual(seen, [7]);
});
