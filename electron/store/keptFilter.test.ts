import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keptFilterOf, keptFilterOfSelector } from './keptFilter.ts';

test('a filter of states, queue, service and types is answered by the kept counts alone', () => {
  assert.deepEqual(keptFilterOf({ status: ['failed', 'completed'], queue: 'q', service: 's', execution_type: ['shell'] }), {
    states: ['completed', 'failed'],
    queue: 'q',
    service: 's',
    types: ['shell'],
    fingerprint: null,
    exact: true,
  });
});

test('open dead letters are a state of their own; stuck and scheduled narrow running and pending', () => {
  assert.deepEqual(keptFilterOf({ unresolved: true })?.states, ['dead_letter']);
  assert.deepEqual(keptFilterOf({ unresolved: true, status: ['pending'] })?.states, [], 'nothing is both pending and an open dead letter');
  assert.deepEqual(keptFilterOf({ stuck: true }), { states: ['running'], queue: null, service: null, types: null, fingerprint: null, exact: false });
  assert.deepEqual(keptFilterOf({ scheduled: true, status: ['failed'] })?.states, []);
});

test('a search or a time range leaves the counts an upper bound, and alone they name nothing counted', () => {
  assert.equal(keptFilterOf({ service: 's', search: 'timeout' })?.exact, false);
  assert.equal(keptFilterOf({ service: 's', created_after: '2026-01-01T00:00:00Z' })?.exact, false);
  assert.equal(keptFilterOf({ search: 'timeout' }), null);
  assert.equal(keptFilterOf({}), null);
});

test('a DLQ selector counts open dead letters by fingerprint and service; ids and text narrow further', () => {
  assert.deepEqual(keptFilterOfSelector({ fingerprint: 'fp', service: 's' }), { states: ['dead_letter'], queue: null, service: 's', types: null, fingerprint: 'fp', exact: true });
  assert.equal(keptFilterOfSelector({ job_ids: [1] }).exact, false);
  assert.equal(keptFilterOfSelector({ search: 'x' }).exact, false);
});
