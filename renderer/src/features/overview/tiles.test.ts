import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overviewStats, queueStats } from '../../lib/testing/fixtures.ts';
import { tiles } from './tiles.ts';

const tile = (label: string, stats = overviewStats()) => tiles(stats).find((t) => t.label === label);

test('the failure rate turns warn at 5% and bad at 20%, and says nothing without traffic', () => {
  assert.equal(tile('Failure rate (1h)', overviewStats({ failure_rate: 0.01 }))?.tone, 'ok');
  assert.equal(tile('Failure rate (1h)', overviewStats({ failure_rate: 0.05 }))?.tone, 'warn');
  assert.equal(tile('Failure rate (1h)', overviewStats({ failure_rate: 0.2 }))?.tone, 'bad');
  assert.equal(tile('Failure rate (1h)', overviewStats({ failure_rate: null }))?.tone, undefined);
  assert.equal(tile('Failure rate (1h)', overviewStats({ failure_rate: null }))?.value, '—');
});

test('dead letters and stuck jobs call for attention only when there are some, and lead to them', () => {
  assert.equal(tile('Dead letters')?.tone, undefined);
  assert.equal(tile('Dead letters', overviewStats({ dead_letters: 3 }))?.tone, 'bad');
  assert.equal(tile('Dead letters')?.href, '#/dlq');
  assert.equal(tile('Stuck jobs', overviewStats({ stuck: 1 }))?.tone, 'warn');
  assert.equal(tile('Stuck jobs')?.href, '#/jobs?stuck=1');
});

test('stuck workflow runs are a figure of their own, not counted as stuck jobs', () => {
  const all = tiles(overviewStats({ stuck: 0 }), 1, 2);
  assert.equal(all.find((t) => t.label === 'Stuck jobs')?.value, '0');
  const runs = all.find((t) => t.label === 'Stuck workflow runs');
  assert.deepEqual([runs?.value, runs?.tone, runs?.href], ['1', 'warn', '#/workflows']);
  assert.equal(tiles(overviewStats()).find((t) => t.label === 'Stuck workflow runs'), undefined, 'not shown before they were read');
});

test('the stuck workflow runs tile is left out for a registry with no workflow, unless a run is stuck', () => {
  const runsTile = (stuck: number | null, workflows: number | null) => tiles(overviewStats(), stuck, workflows).find((t) => t.label === 'Stuck workflow runs');
  assert.equal(runsTile(0, 0), undefined, 'no workflow defined, none stuck');
  assert.equal(runsTile(0, null), undefined, 'none stuck, the workflows not read yet');
  assert.equal(runsTile(0, 3)?.value, '0', 'workflows defined: none stuck is worth saying');
  assert.equal(runsTile(2, 0)?.value, '2', 'a stuck run of a workflow no longer in the registry is still shown');
});

test('pending says how many are not due yet, only when some are', () => {
  assert.equal(tile('Pending')?.detail, undefined);
  assert.match(tile('Pending', overviewStats({ scheduled: 12 }))?.detail ?? '', /^12\b.*not due yet/);
});

test('the oldest pending job warns past a quarter of an hour', () => {
  const queue = (age: number) => queueStats({ queue: 'q', pending: 1, oldest_due_age_s: age });
  assert.equal(tile('Oldest pending', overviewStats({ oldest_pending_age_s: 900, queues: [queue(900)] }))?.tone, undefined);
  assert.equal(tile('Oldest pending', overviewStats({ oldest_pending_age_s: 901, queues: [queue(901)] }))?.tone, 'warn');
  assert.equal(tile('Oldest pending', overviewStats({ oldest_pending_age_s: 901, queue_ages_read: false }))?.tone, 'warn');
});

test("a paused queue's waiting jobs do not make the oldest pending tile warn; they are named in its detail", () => {
  const queue = (name: string, paused: boolean, age: number | null) => queueStats({ queue: name, pending: 1, paused, oldest_due_age_s: age });
  const stats = overviewStats({ oldest_pending_age_s: 18_000, queues: [queue('held', true, 18_000), queue('billing', false, 1200), queue('later', false, null)] });
  const oldest = tile('Oldest pending', stats);
  assert.equal(oldest?.value, '20m 0s');
  assert.equal(oldest?.tone, 'warn');
  assert.equal(oldest?.detail, '5h 0m in a paused queue');
  const unread = tile('Oldest pending', { ...stats, queue_ages_read: false, queues: stats.queues.map((q) => ({ ...q, oldest_due_age_s: null })) });
  assert.equal(unread?.value, '5h 0m', 'without the queues read, the store-wide figure');
  assert.equal(unread?.detail, undefined);
});
