import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Urgency } from '../lib/announcer.ts';
import { fakeHostClient } from '../lib/testing/fakeHostClient.ts';
import { controlState, overviewStats, stopped } from '../lib/testing/fixtures.ts';
import { connectLiveAnnouncements } from './useLiveAnnouncements.ts';

function setup() {
  const host = fakeHostClient();
  const said: Array<[string, Urgency]> = [];
  const disconnect = connectLiveAnnouncements(host.client, (text, urgency) => said.push([text, urgency]));
  return { host, said, disconnect };
}

test('the stop is announced once, assertively, however many ticks and pushes repeat it', () => {
  const { host, said } = setup();
  host.emit('stats.tick', overviewStats({ control: controlState({ version: 1 }) }));
  host.emit('control.changed', stopped(2));
  for (let i = 0; i < 5; i++) host.emit('stats.tick', overviewStats({ control: stopped(2) }));
  host.emit('control.changed', controlState({ version: 3 }));
  host.emit('stats.tick', overviewStats({ control: controlState({ version: 3 }) }));
  assert.deepEqual(said, [
    ['Emergency stop engaged by ops@laptop: db failover. No job is dispatched on any worker.', 'assertive'],
    ['Emergency stop released: dispatch resumes.', 'assertive'],
  ]);
});

test('a breaker opening is announced once, politely, however often its state is pushed again', () => {
  const { host, said } = setup();
  host.emit('breaker.changed', { service: 'billing', state: 'open', mode: 'auto', reason: 'upstream returned 503' });
  host.emit('breaker.changed', { service: 'billing', state: 'open', mode: 'auto', reason: 'upstream returned 503' });
  host.emit('breaker.changed', { service: 'sync', state: 'half_open', mode: 'auto', reason: 'probing' });
  assert.deepEqual(said, [['Circuit breaker billing opened after repeated failures: its jobs wait.', 'polite']]);
});

test('disconnected, it says nothing more', () => {
  const { host, said, disconnect } = setup();
  host.emit('control.changed', controlState({ version: 1 }));
  disconnect();
  host.emit('control.changed', stopped(2));
  assert.deepEqual(said, []);
});
