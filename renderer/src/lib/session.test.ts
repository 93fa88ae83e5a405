import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SESSION_KEY, takeSessionToken } from './session.ts';

function tab(href: string, kept: Record<string, string> = {}, sharedKept: Record<string, string> = {}) {
  const storage = new Map(Object.entries(kept));
  const shared = new Map(Object.entries(sharedKept));
  const replaced: string[] = [];
  const place = {
    href,
    storage: { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) },
    shared: { removeItem: (key: string) => void shared.delete(key) },
    replace: (url: string) => void replaced.push(url),
  };
  return { place, storage, shared, replaced };
}

test("the printed URL gives the console its token, which leaves the address bar and stays for the tab's reloads", () => {
  const first = tab('http://127.0.0.1:7800/?token=abc-123&x=1#/jobs');
  assert.equal(takeSessionToken(first.place), 'abc-123');
  assert.equal(first.storage.get(SESSION_KEY), 'abc-123');
  assert.deepEqual(first.replaced, ['http://127.0.0.1:7800/?x=1#/jobs']);
  const reload = tab('http://127.0.0.1:7800/#/jobs', { [SESSION_KEY]: 'abc-123' });
  assert.equal(takeSessionToken(reload.place), 'abc-123');
  assert.deepEqual(reload.replaced, [], 'nothing to take out of an address without a token');
});

test('a new URL wins over a kept token (a restarted host), and a console with neither has none', () => {
  const restarted = tab('http://127.0.0.1:7800/?token=new-one', { [SESSION_KEY]: 'old-one' });
  assert.equal(takeSessionToken(restarted.place), 'new-one');
  assert.equal(restarted.storage.get(SESSION_KEY), 'new-one');
  assert.equal(takeSessionToken(tab('http://127.0.0.1:7800/').place), null);
});

test("a token an earlier console kept in the origin's shared storage is removed, and not taken", () => {
  const upgraded = tab('http://127.0.0.1:7800/#/jobs', {}, { [SESSION_KEY]: 'kept-on-disk' });
  assert.equal(takeSessionToken(upgraded.place), null, 'another tab, or a browser restarted, opens the printed URL again');
  assert.equal(upgraded.shared.has(SESSION_KEY), false);
});
