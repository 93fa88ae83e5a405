import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlag, parseTheme, parseTimesIn, readPreference, writePreference } from './preferences.ts';
import { useUi } from './uiState.ts';

test('a stored theme is kept only when it is one we know; anything else follows the system', () => {
  assert.equal(parseTheme('dark'), 'dark');
  assert.equal(parseTheme('light'), 'light');
  assert.equal(parseTheme('solarized'), 'system');
  assert.equal(parseTheme(null), 'system');
});

test('asking before a stop is on only when explicitly stored as on', () => {
  assert.equal(parseFlag('1'), true);
  assert.equal(parseFlag('true'), false);
  assert.equal(parseFlag(null), false);
});

test('times are in UTC only when UTC was stored; anything else reads in the browser\'s zone', () => {
  assert.equal(parseTimesIn('utc'), 'utc');
  assert.equal(parseTimesIn('local'), 'local');
  assert.equal(parseTimesIn('UTC+1'), 'local');
  assert.equal(parseTimesIn(null), 'local');
});

test('without storage, preferences read as unset and writing them is harmless', () => {
  const key = `opsdeck.test.${process.pid}`;
  writePreference(key, '1');
  const read = readPreference(key);
  assert.ok(read === null || read === '1');
  writePreference(key, null);
  assert.equal(readPreference(key), null);
});

test('the console starts with the stop asking nothing and times in the browser\'s zone; the settings and the dead-letter selection change as told', () => {
  assert.equal(useUi.getState().confirmStop, false);
  useUi.getState().setConfirmStop(true);
  assert.equal(useUi.getState().confirmStop, true);
  useUi.getState().setConfirmStop(false);

  assert.equal(useUi.getState().timesIn, 'local');
  useUi.getState().setTimesIn('utc');
  assert.equal(useUi.getState().timesIn, 'utc');
  useUi.getState().setTimesIn('local');

  useUi.getState().setDeadLetters([1, 2]);
  useUi.getState().toggleDeadLetter(2);
  useUi.getState().toggleDeadLetter(3);
  assert.deepEqual([...useUi.getState().selectedDeadLetters].sort(), [1, 3]);
  useUi.getState().clearDeadLetters();
  assert.equal(useUi.getState().selectedDeadLetters.size, 0);
});
