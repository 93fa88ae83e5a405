import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { useAnnouncer } from './announcer.ts';
import { lifetimeOf, notify, useNotices, withNotice, type Notice } from './notices.ts';

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] });
  useNotices.setState({ notices: [] });
  useAnnouncer.setState({ polite: null, assertive: null });
});
afterEach(() => mock.timers.reset());

const texts = () => useNotices.getState().notices.map((n) => n.text);

test('a notice lasts long enough to read, longer for a failure, longest with a link to reach', () => {
  assert.equal(lifetimeOf({ tone: 'ok' }), 6000);
  assert.equal(lifetimeOf({ tone: 'bad' }), 12_000);
  assert.equal(lifetimeOf({ tone: 'ok', link: { href: '#/jobs', label: 'Show the jobs' } }), 20_000);
});

test('at most four notices: the oldest makes room, a sticky one last', () => {
  let list: Notice[] = [];
  for (let id = 1; id <= 6; id++) list = withNotice(list, { id, tone: 'ok', text: `n${id}` });
  assert.deepEqual(list.map((n) => n.id), [3, 4, 5, 6]);
  list = withNotice([{ id: 1, tone: 'bad', text: 'NOT engaged', sticky: true }], { id: 2, tone: 'ok', text: 'n2' });
  for (let id = 3; id <= 6; id++) list = withNotice(list, { id, tone: 'ok', text: `n${id}` });
  assert.deepEqual(list.map((n) => n.id), [1, 4, 5, 6]);
});

test('a sticky notice stays until dismissed', () => {
  assert.equal(lifetimeOf({ tone: 'bad', sticky: true }), null);
  notify('bad', 'Emergency stop NOT engaged.', { sticky: true });
  mock.timers.tick(3_600_000);
  assert.deepEqual(texts(), ['Emergency stop NOT engaged.']);
  useNotices.getState().dismiss(useNotices.getState().notices[0]?.id ?? -1);
  assert.deepEqual(texts(), []);
});

test('a notice is announced once, failures assertively; a silent one is only shown', () => {
  notify('ok', 'Retried 3 jobs.');
  assert.equal(useAnnouncer.getState().polite?.text, 'Retried 3 jobs.');
  notify('bad', 'The store refused.');
  assert.equal(useAnnouncer.getState().assertive?.text, 'The store refused.');
  const before = useAnnouncer.getState().polite;
  notify('info', 'billing: breaker open (force open).', { announce: false });
  assert.equal(useAnnouncer.getState().polite, before);
  assert.deepEqual(texts(), ['Retried 3 jobs.', 'The store refused.', 'billing: breaker open (force open).']);
});

test('notices leave by themselves, unless held by the pointer or the focus', () => {
  notify('ok', 'Resolved 1 job.', { link: { href: '#/jobs?job=4', label: 'Open the job' } });
  const id = useNotices.getState().notices[0]?.id ?? -1;
  useNotices.getState().hold(id);
  mock.timers.tick(60_000);
  assert.deepEqual(texts(), ['Resolved 1 job.']);
  useNotices.getState().release(id);
  mock.timers.tick(19_999);
  assert.deepEqual(texts(), ['Resolved 1 job.']);
  mock.timers.tick(1);
  assert.deepEqual(texts(), []);
});

test('dismissing removes a notice at once', () => {
  notify('info', 'Queue resumed.');
  useNotices.getState().dismiss(useNotices.getState().notices[0]?.id ?? -1);
  assert.deepEqual(texts(), []);
});
