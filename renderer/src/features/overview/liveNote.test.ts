import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveNote } from './liveNote.ts';

const time = (iso: string) => iso.slice(11, 19);
const at = '2025-05-01T12:01:02.000Z';

test('live only while everything answers and the last refresh worked', () => {
  assert.deepEqual(liveNote(at, { storeDown: false, hostDown: false, refreshFailed: false }, time), { live: true, text: 'live · updated 12:01:02' });
});

test('the figures kept through an outage say when they are from and what stopped answering', () => {
  assert.deepEqual(liveNote(at, { storeDown: true, hostDown: false, refreshFailed: true }, time), { live: false, text: 'not live: figures from 12:01:02, before the store stopped answering' });
  assert.equal(liveNote(at, { storeDown: true, hostDown: true, refreshFailed: true }, time).text, 'not live: figures from 12:01:02, before the console host stopped answering');
  assert.deepEqual(liveNote(at, { storeDown: false, hostDown: false, refreshFailed: true }, time), { live: false, text: 'not live: figures from 12:01:02; the last refresh failed' });
});
