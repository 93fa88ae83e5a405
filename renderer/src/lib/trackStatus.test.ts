import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useHostStatus } from './hostStatus.ts';
import { HostUnreachableError } from './hostUnreachable.ts';
import { fakeHostClient } from './testing/fakeHostClient.ts';
import { controlState, overviewStats } from './testing/fixtures.ts';
import { LINK_PROBE_MS, trackStatus } from './trackStatus.ts';

beforeEach(() => {
  useHostStatus.setState({ storeDown: null, hostDown: null, linkUp: true, signedOut: null });
});

test('an unavailable answer raises the store banner; the next answer that comes clears it', async () => {
  let down = true;
  const host = fakeHostClient(() => (down ? { ok: false, error: { code: 'unavailable', message: 'database is locked' } } : { ok: true, result: controlState() }));
  const client = trackStatus(host.client);
  await assert.rejects(client.call('control.get', {}));
  assert.deepEqual(useHostStatus.getState().storeDown, { message: 'database is locked', action: null });
  down = false;
  await client.call('control.get', {});
  assert.equal(useHostStatus.getState().storeDown, null);
});

test('an outage that needs an operator keeps its action, from a call or from the feed', async () => {
  const action = 'run opsdeck migrate with this --db, or open it once with migrations on';
  const message = `the database ops lacks opsdeck's schema; ${action}`;
  const host = fakeHostClient(() => ({ ok: false, error: { code: 'unavailable', message, action } }));
  await assert.rejects(trackStatus(host.client).call('control.get', {}));
  assert.deepEqual(useHostStatus.getState().storeDown, { message, action });
  useHostStatus.setState({ storeDown: null });
  host.emit('store.status', { ok: false, message, action });
  assert.deepEqual(useHostStatus.getState().storeDown, { message, action });
});

test('a host that does not answer at all raises the host banner with when it last answered, not the store banner; its next answer clears it', async () => {
  let answer: () => unknown = () => ({ ok: true, result: controlState() });
  const host = fakeHostClient(() => answer());
  const client = trackStatus(host.client);
  const before = new Date().toISOString();
  await client.call('control.get', {});
  const after = new Date().toISOString();
  useHostStatus.setState({ storeDown: { message: 'database is locked', action: null } });
  answer = () => {
    throw new HostUnreachableError('serve', 'The opsdeck host does not answer.');
  };
  await assert.rejects(client.call('control.get', {}));
  const down = useHostStatus.getState().hostDown;
  assert.equal(down?.host, 'serve');
  assert.ok(down.lastAnswer !== null && down.lastAnswer >= before && down.lastAnswer <= after, 'as of the last answer, not of the failure');
  assert.equal(useHostStatus.getState().storeDown, null, 'with the host away, nothing is known of the store');
  await assert.rejects(client.call('control.get', {}));
  assert.equal(useHostStatus.getState().hostDown?.lastAnswer, down.lastAnswer, 'a failure is no answer');

  answer = () => ({ ok: false, error: { code: 'unavailable', message: 'database is locked' } });
  await assert.rejects(client.call('control.get', {}));
  assert.deepEqual([useHostStatus.getState().hostDown, useHostStatus.getState().storeDown], [null, { message: 'database is locked', action: null }], 'the host is back; the store is not');
});

test('the live feed coming back takes the host banner down: the host answers', async () => {
  const host = fakeHostClient(() => {
    throw new HostUnreachableError('desktop', 'The opsdeck main process did not answer.');
  });
  const client = trackStatus(host.client);
  host.link(false);
  await assert.rejects(client.call('control.get', {}));
  assert.deepEqual(useHostStatus.getState().hostDown, { host: 'desktop', lastAnswer: null });
  host.link(true);
  assert.equal(useHostStatus.getState().hostDown, null);
});

test('a live feed that stays down has the host asked, so a page with no refresh of its own shows the host banner; a quick reconnect asks nothing', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const asked: string[] = [];
  const host = fakeHostClient((name) => {
    asked.push(name);
    throw new HostUnreachableError('serve', 'The opsdeck host does not answer.');
  });
  trackStatus(host.client);
  host.link(false);
  t.mock.timers.tick(LINK_PROBE_MS - 1);
  host.link(true);
  t.mock.timers.tick(LINK_PROBE_MS);
  assert.deepEqual(asked, [], 'back before the probe: nothing asked');

  host.link(false);
  t.mock.timers.tick(LINK_PROBE_MS);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(asked, ['control.get']);
  assert.equal(useHostStatus.getState().hostDown?.host, 'serve');
});

test('other failures are the call\'s own, not the store\'s', async () => {
  const host = fakeHostClient(() => ({ ok: false, error: { code: 'not_found', message: 'no such job' } }));
  await assert.rejects(trackStatus(host.client).call('jobs.get', { id: 4 }));
  assert.equal(useHostStatus.getState().storeDown, null);
});

test('store.status events raise and clear the banner, a stats tick proves the store answers, the link follows the feed', () => {
  const host = fakeHostClient();
  trackStatus(host.client);
  host.emit('store.status', { ok: false, message: '' });
  assert.deepEqual(useHostStatus.getState().storeDown, { message: 'the store does not answer', action: null });
  host.emit('stats.tick', overviewStats());
  assert.equal(useHostStatus.getState().storeDown, null);
  host.link(false);
  assert.equal(useHostStatus.getState().linkUp, false);
  host.link(true);
  assert.equal(useHostStatus.getState().linkUp, true);
});

test('a forbidden answer (the host restarted with a new token) says signed out and takes the store banner down: the host answers', async () => {
  let answer: unknown = { ok: false, error: { code: 'unavailable', message: 'The opsdeck host does not answer.' } };
  const client = trackStatus(fakeHostClient(() => answer).client);
  await assert.rejects(client.call('control.get', {}));
  assert.deepEqual(useHostStatus.getState().storeDown, { message: 'The opsdeck host does not answer.', action: null });
  answer = { ok: false, error: { code: 'forbidden', message: 'this session is not signed in: open the URL printed by `opsdeck serve`' } };
  await assert.rejects(client.call('control.get', {}));
  assert.deepEqual([useHostStatus.getState().signedOut, useHostStatus.getState().storeDown], ['this session is not signed in: open the URL printed by `opsdeck serve`', null]);
});

test('an answer that does not read the store (the dispatch check saying it cannot tell) leaves the store banner up; a read of the store takes it down', async () => {
  let storeUp = false;
  const host = fakeHostClient((name) => {
    if (name === 'health.check') return { ok: true, result: { ok: false, checks: [{ name: 'dispatch', ok: false, detail: 'cannot tell: cannot reach PostgreSQL at 127.0.0.1:5433' }] } };
    return storeUp ? { ok: true, result: controlState() } : { ok: false, error: { code: 'unavailable', message: 'cannot reach PostgreSQL at 127.0.0.1:5433' } };
  });
  const client = trackStatus(host.client);
  await assert.rejects(client.call('control.get', {}));
  await client.call('health.check', { check: 'dispatch' });
  assert.deepEqual(useHostStatus.getState().storeDown, { message: 'cannot reach PostgreSQL at 127.0.0.1:5433', action: null }, 'the store is still away');
  storeUp = true;
  await client.call('control.get', {});
  assert.equal(useHostStatus.getState().storeDown, null);
});
