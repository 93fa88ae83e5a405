import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchedAsReadKeySees } from './readKeySearch.ts';

const jobs = (...errors: Array<string | null>) => ({ jobs: errors.map((error_message, i) => ({ id: i + 1, error_message })), next_cursor: 'c1' });

test('a search finds only jobs whose error, as a read key sees it, holds it', () => {
  const shown = jobs('exited with code 2: password=[redacted]', 'upstream REFUSED the call', null);
  assert.deepEqual(searchedAsReadKeySees('jobs.list', { filter: { search: 'password=hu' } }, shown), { jobs: [], next_cursor: null }, 'no cursor says more stored jobs match');
  assert.deepEqual(searchedAsReadKeySees('jobs.list', { filter: { search: 'refused' } }, shown), { jobs: [{ id: 2, error_message: 'upstream REFUSED the call' }], next_cursor: null });
  const visible = jobs('upstream REFUSED the call', 'refused again');
  assert.equal(searchedAsReadKeySees('jobs.list', { filter: { search: 'refused' } }, visible), visible, 'a page that lost nothing pages on');
  assert.deepEqual(searchedAsReadKeySees('dlq.list', { selector: { search: 'code 2' } }, shown), { jobs: [{ id: 1, error_message: 'exited with code 2: password=[redacted]' }], next_cursor: null });
});

test("an audit entry found only inside a value a read key sees [redacted] leaves the page, and its cursor with it", () => {
  const entry = (id: number, action: string, details: unknown) => ({ id, at: '2026-12-07T07:00:00.000Z', actor: 'ops', action, target: 'hourly', job_count: null, details });
  const cut = entry(2, 'schedule.add', { config: { payload: { password: '[redacted]', n: 1 } } });
  const shown = { entries: [cut, entry(1, 'schedule.pause', { reason: 'hunter season' })], next_cursor: 'c1' };
  assert.deepEqual(searchedAsReadKeySees('audit.list', { search: 'hunt' }, shown), { entries: [shown.entries[1]], next_cursor: null });
  assert.equal(searchedAsReadKeySees('audit.list', { search: 'HOURLY' }, shown), shown, 'what a read key sees is found, and pages on');
  const page = { entries: [cut], next_cursor: 'c1' };
  assert.equal(searchedAsReadKeySees('audit.list', { search: '"n":1' }, page), page, 'its details as JSON');
});

test('a group whose sample does not hold the search leaves the groups and their total', () => {
  const shown = { groups: [{ fingerprint: 'f1', count: 3, sample_error: 'token=[redacted] refused' }, { fingerprint: 'f2', count: 2, sample_error: 'hunter refused' }], total: 5, truncated: true };
  assert.deepEqual(searchedAsReadKeySees('dlq.groups', { search: 'hunt' }, shown), { groups: [shown.groups[1]], total: 2, truncated: false });
  assert.deepEqual(searchedAsReadKeySees('dlq.groups', { search: 'REFUSED' }, shown), shown);
});

test('an answer without a search, or of a call that searches no text, is as it came', () => {
  const shown = jobs('password=[redacted]');
  assert.equal(searchedAsReadKeySees('jobs.list', { filter: {} }, shown), shown);
  assert.equal(searchedAsReadKeySees('jobs.list', { filter: { search: '' } }, shown), shown);
  assert.equal(searchedAsReadKeySees('alerts.history', { search: 'hunter2' }, shown), shown);
});
