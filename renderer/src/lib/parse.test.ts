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

const at = '2026-12-07T04:00:00.000Z';
function traceWith(payload: unknown, omit = false) {
  const job = {
    id: 1, identifier: 'import-1', queue: 'default', service_name: 'import', execution_type: 'shell', status: 'completed', priority: 0,
    attempts: 1, max_attempts: 3, run_at: at, lease_owner: null, lease_expires_at: null, created_at: at, started_at: at, completed_at: at,
    updated_at: at, error_message: null, error_fingerprint: null, resource_usage: null, security_context: null, resolved_at: null,
    resolution: null, cancel_requested: false, ...(omit ? {} : { payload }),
  };
  return { ok: true, result: { job, attempts: [], stuck: false } };
}

test("a job's payload comes through as the host sent it, of any JSON kind, not rebuilt", () => {
  const payload = { rows: Array.from({ length: 1000 }, (_, i) => ({ i, tags: ['a'], note: null })) };
  assert.equal(parseCallResponse('jobs.get', traceWith(payload)).job.payload, payload);
  for (const other of ['text', 42, true, null, [1, { a: [] }]]) assert.deepEqual(parseCallResponse('jobs.get', traceWith(other)).job.payload, other);
});

test('an answer whose job has no payload, or one that is no JSON, is still refused as a broken contract, naming where', () => {
  for (const broken of [traceWith(undefined, true), traceWith(undefined), traceWith(Number.NaN), traceWith(() => 1)]) {
    assert.throws(
      () => parseCallResponse('jobs.get', broken),
      (error: unknown) => error instanceof CallError && error.code === 'internal' && /jobs\.get.*job\.payload: expected JSON data/.test(error.message),
    );
  }
});
