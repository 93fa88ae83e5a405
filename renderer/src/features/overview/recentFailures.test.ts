import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureGroup, RecentFailures } from '../../../../shared/contract.ts';
import { AT } from '../../lib/testing/fixtures.ts';
import { failureWindow, jobsLink, retried, sampleText, shortError, truncationNote, windowWords } from './recentFailures.ts';

function group(overrides: Partial<FailureGroup> = {}): FailureGroup {
  return FailureGroup.parse({
    service_name: 'billing_webhook',
    error_class: 'http_503',
    fingerprint: '0123456789abcdef',
    failures: 7,
    dead_lettered: 2,
    first_seen: AT,
    last_seen: AT,
    sample_error: 'upstream returned 503',
    ...overrides,
  });
}

test('the window comes from the address, the hour when it is missing or not offered', () => {
  assert.equal(failureWindow(new URLSearchParams('failures=15m')), '15m');
  assert.equal(failureWindow(new URLSearchParams('failures=24h&window=24h')), '24h');
  assert.equal(failureWindow(new URLSearchParams('')), '1h');
  assert.equal(failureWindow(new URLSearchParams('failures=7d')), '1h');
  assert.equal(failureWindow(new URLSearchParams('failures=toString')), '1h');
  assert.equal(windowWords('1h'), 'the last hour');
  assert.equal(windowWords('15m'), 'the last 15 minutes');
});

test('failures that did not dead-letter are the retried ones', () => {
  assert.equal(retried(group()), 5);
  assert.equal(retried(group({ failures: 3, dead_lettered: 3 })), 0);
});

test('a group leads to its jobs filtered the way the Jobs page reads its address', () => {
  assert.deepEqual(jobsLink(group()), { href: '#/jobs?service=billing_webhook&class=http_503', title: 'Jobs of billing_webhook that failed with http_503' });
  assert.equal(jobsLink(group({ service_name: 'a b&c' })).href, '#/jobs?service=a+b%26c&class=http_503');
  // A class the Jobs filter would refuse still leads to the service's jobs, and the hover does not promise it.
  assert.deepEqual(jobsLink(group({ error_class: '' })), { href: '#/jobs?service=billing_webhook', title: 'Jobs of billing_webhook' });
  assert.equal(jobsLink(group({ error_class: 'Not A Class' })).href, '#/jobs?service=billing_webhook');
});

test('a sample error is its first line, cut to fit; a longer message says it goes on', () => {
  assert.equal(shortError('upstream returned 503'), 'upstream returned 503');
  assert.equal(shortError('\n  TypeError: x is undefined\n    at run (job.js:3)'), 'TypeError: x is undefined …');
  assert.equal(shortError('x'.repeat(200), 20), `${'x'.repeat(19)}…`);
  assert.equal(shortError('x'.repeat(20), 20), 'x'.repeat(20));
  assert.equal(shortError('   '), '—');
});

test('a group whose sample minute was pruned says so, its counts standing', () => {
  assert.equal(sampleText(group({ sample_error: null })), 'sample pruned');
  assert.equal(sampleText(group({ sample_error: '' })), shortError(''), 'an error whose message is empty is no pruned sample');
  assert.equal(sampleText(group({ sample_error: 'boom\n  at x' })), 'boom …');
  assert.equal(sampleText(group({ sample_error: 'loaded 2026-12-07T10:01:33.047Z' }), (text) => text.replace('2026-12-07T10:01:33.047Z', '2026-12-07 10:01:33Z')), 'loaded 2026-12-07 10:01:33Z', 'its times in the console\'s zone');
});

test('a truncated answer says how many failures the listed groups leave out', () => {
  const data = (truncated: boolean, total: number): RecentFailures =>
    RecentFailures.parse({ since: AT, groups: [group({ failures: 7 }), group({ failures: 3, fingerprint: 'fedcba9876543210' })], total, truncated });
  assert.equal(truncationNote(data(false, 10)), null);
  assert.equal(truncationNote(data(true, 1_010)), 'Only the 2 largest groups are listed; 1,000 more failed attempts fail in other ways.');
  assert.equal(truncationNote(data(true, 11)), 'Only the 2 largest groups are listed; 1 more failed attempt fails in other ways.');
});
