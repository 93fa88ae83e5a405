import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guessTimeZone, timeZoneProblem } from './timeZoneGuess.ts';

const ZONES = ['UTC', 'Europe/Berlin', 'Europe/Bern', 'America/New_York', 'America/Chicago', 'Asia/Kathmandu'];

test('a misspelt zone, a city alone or another case is guessed', () => {
  assert.equal(guessTimeZone('Europe/Berln', ZONES), 'Europe/Berlin');
  assert.equal(guessTimeZone('Amerca/Chicago', ZONES), 'America/Chicago');
  assert.equal(guessTimeZone('Berlin', ZONES), 'Europe/Berlin');
  assert.equal(guessTimeZone('new york', ZONES), 'America/New_York');
  assert.equal(guessTimeZone('asia/katmandu', ZONES), 'Asia/Kathmandu');
  assert.equal(guessTimeZone('utc', ZONES), 'UTC');
});

test('nothing close is not guessed', () => {
  assert.equal(guessTimeZone('Mars/Olympus_Mons', ZONES), null);
  assert.equal(guessTimeZone('', ZONES), null);
});

test('the problem says the guess, or how a zone is written', () => {
  assert.equal(timeZoneProblem('Europe/Berln', ZONES), "'Europe/Berln' is not a time zone: did you mean Europe/Berlin?");
  assert.equal(timeZoneProblem('Mars/Olympus_Mons', ZONES), "'Mars/Olympus_Mons' is not a time zone: use an IANA name such as UTC, Europe/Berlin or America/New_York");
});

test("this runtime's zones are the candidates by default, UTC among them", () => {
  assert.equal(guessTimeZone('Europe/Berln'), 'Europe/Berlin');
  assert.equal(guessTimeZone('UTc'), 'UTC');
  assert.equal(guessTimeZone('Asia/Kathmandoo'), 'Asia/Kathmandu', 'by its current name, not the one V8 lists');
  assert.equal(guessTimeZone('Kolkatta'), 'Asia/Kolkata');
});
