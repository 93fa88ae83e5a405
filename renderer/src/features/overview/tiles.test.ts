import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overviewStats } from '../../lib/testing/fixtures.ts';
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
  assert.equal(tile('Stuck', overviewStats({ stuck: 1 }))?.tone, 'warn');
  assert.equal(tile('Stuck')?.href, '#/jobs?stuck=1');
});

test('pending says how many are not due yet, only when some are', () => {
  assert.equal(tile('Pending')?.detail, undefined);
  assert.match(tile('Pending', overviewStats({ scheduled: 12 }))?.detail ?? '', /^12\b.*not due yet/);
});

test('the oldest pending job warns past a quarter of an hour', () => {
  assert.equal(tile('Oldest pending', overviewStats({ oldest_pending_age_s: 900 }))?.tone, undefined);
  assert.equal(tile('Oldest pending', overviewStats({ oldest_pending_age_s: 901 }))?.tone, 'warn');
});
