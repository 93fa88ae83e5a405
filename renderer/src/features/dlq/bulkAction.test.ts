import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affectedJobsLink, bulkTitle, confirmLabel, jobCount, previewText, resultText, selectedScope, type BulkAction } from './bulkAction.ts';

const group: BulkAction = { kind: 'retry', selector: { fingerprint: 'fp' }, scope: 'this group', services: ['billing'] };

test('counts of jobs read as words', () => {
  assert.equal(jobCount(1), '1 job');
  assert.equal(jobCount(0), '0 jobs');
  assert.equal(jobCount(12_000), '12,000 jobs');
});

test('the dialog says what it will do before it does it, and the button says how many', () => {
  assert.equal(bulkTitle(group), 'Retry this group');
  assert.equal(bulkTitle({ kind: 'purge', before: '2026-01-01T00:00:00.000Z', scope: 'resolved dead letters before 2026-01-01' }), 'Permanently delete resolved dead letters before 2026-01-01');
  assert.equal(previewText('retry', { dry_run: true, matched: 3, affected: 0 }), 'This will retry 3 jobs.');
  assert.equal(previewText('resolve', { dry_run: true, matched: 0, affected: 0 }), 'Nothing to resolve: no job matches now.');
  assert.equal(confirmLabel('retry', null, false), 'Confirm');
  assert.equal(confirmLabel('retry', { dry_run: true, matched: 3, affected: 0 }, false), 'Retry 3 jobs');
  assert.equal(confirmLabel('purge', { dry_run: true, matched: 1, affected: 0 }, true), 'Working…');
  assert.equal(bulkTitle({ kind: 'resolve', selector: { job_ids: [7] }, scope: selectedScope(1) }), 'Resolve 1 selected job');
  assert.equal(bulkTitle({ kind: 'retry', selector: { job_ids: [7, 8] }, scope: selectedScope(2) }), 'Retry 2 selected jobs');
});

test('the result is one sentence, explaining a difference from what was matched', () => {
  assert.equal(resultText('retry', { dry_run: false, matched: 3, affected: 3 }, 3), 'Retried 3 jobs.');
  assert.equal(resultText('resolve', { dry_run: false, matched: 4, affected: 4 }, 5), 'Resolved 4 jobs (the preview showed 5 jobs; the rest changed meanwhile).');
  assert.equal(resultText('retry', { dry_run: false, matched: 7, affected: 7 }, 5), 'Retried 7 jobs (the preview showed 5 jobs; more matched meanwhile).');
});

test('the notice links to the jobs touched: one job\'s trace, a service, a text; a purge has nothing left to show', () => {
  assert.deepEqual(affectedJobsLink(group), { href: '#/jobs?service=billing', label: 'Show billing jobs' });
  assert.deepEqual(affectedJobsLink({ kind: 'retry', selector: { job_ids: [42] }, scope: '1 selected jobs', services: ['billing'] }), { href: '#/jobs?job=42', label: 'Open the job' });
  assert.deepEqual(affectedJobsLink({ kind: 'resolve', selector: { job_ids: [1, 2] }, scope: '2 selected jobs', services: ['billing'] }), { href: '#/jobs?status=failed&service=billing', label: 'Show billing jobs' });
  assert.deepEqual(affectedJobsLink({ kind: 'retry', selector: { search: 'time out' }, scope: 'dead letters matching “time out”' }), { href: '#/jobs?q=time+out', label: 'Show the jobs' });
  assert.deepEqual(affectedJobsLink({ kind: 'retry', selector: {}, scope: 'all dead letters' }), { href: '#/jobs', label: 'Show the jobs' });
  assert.equal(affectedJobsLink({ kind: 'purge', before: '2026-01-01T00:00:00.000Z', scope: 'old' }), null);
});

test('jobs a retry sends back to a breaker that holds them are said to wait, with what releases them', () => {
  const held = [
    { service_name: 'billing', mode: 'force_open' as const, state: 'open' as const, jobs: 8 },
    { service_name: 'sync', mode: 'auto' as const, state: 'open' as const, jobs: 1 },
  ];
  assert.equal(
    resultText('retry', { dry_run: false, matched: 9, affected: 9, held_by_breaker: held }, 9),
    'Retried 9 jobs. 8 jobs of billing wait: its circuit breaker is forced open (Reset beside billing on the Breakers page releases them). 1 job of sync waits: its circuit breaker is open (Reset beside sync on the Breakers page releases it).',
  );
  assert.equal(
    previewText('retry', { dry_run: true, matched: 8, affected: 0, held_by_breaker: held.slice(0, 1) }),
    'This will retry 8 jobs. 8 jobs of billing wait: its circuit breaker is forced open (Reset beside billing on the Breakers page releases them).',
  );
});

test('jobs a retry sends back while the control plane holds them are said to wait, with what lifts it', () => {
  const held_by_control = ['queue etl is paused by ops: migration (Resume queue in its banner at the top)'];
  assert.equal(
    resultText('retry', { dry_run: false, matched: 2, affected: 2, held_by_control }, 2),
    'Retried 2 jobs. They wait while queue etl is paused by ops: migration (Resume queue in its banner at the top).',
  );
});
