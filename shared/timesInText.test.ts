import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeWithOffset } from './localTime.ts';
import { spanText, timeToCome, withTimes } from './timesInText.ts';

test('every ISO-8601 UTC time in a sentence is written by the formatter, nothing else is', () => {
  const text = 'paused until 2026-12-06T18:00:00.000Z: HTTP 429 at 2026-12-06T17:59:01Z, job 2026-12-06';
  assert.equal(withTimes(text, (iso) => `<${Date.parse(iso)}>`), 'paused until <1796580000000>: HTTP 429 at <1796579941000>, job 2026-12-06');
  assert.equal(withTimes('no time here', () => 'x'), 'no time here');
});

test('spans read at a glance, rounded to what matters at their size', () => {
  assert.deepEqual([spanText(0), spanText(45_400), spanText(119_000), spanText(720_000), spanText(11_100_000), spanText(187_200_000)], ['0s', '45s', '119s', '12m', '3h 5m', '2d 4h']);
  assert.equal(spanText(-5000), '0s', 'a time just passed is not a negative span');
  assert.deepEqual([spanText(3_590_000), spanText(7_170_000), spanText(259_100_000)], ['1h 0m', '2h 0m', '3d 0h'], 'rounded before it is split: never 60m, 1h 60m or 2d 24h');
});

test('a time to come says how far off it is', () => {
  assert.equal(timeToCome('2026-12-06T18:00:00.000Z', new Date('2026-12-06T16:05:00.000Z')), '2026-12-06T18:00:00.000Z (in 1h 55m)');
});

test('only a real moment is rewritten: an impossible date or hour in the text is left as written', () => {
  const utc = (iso: string) => timeWithOffset(iso, 'UTC');
  for (const impossible of ['2026-02-30T10:00:00Z', '2026-01-01T24:00:00Z', '2026-13-01T10:00:00.000Z', '2026-04-31T23:59:60Z']) {
    assert.equal(withTimes(`upstream said ${impossible}.`, utc), `upstream said ${impossible}.`, impossible);
  }
  assert.equal(withTimes('at 2024-02-29T10:00:00Z', utc), 'at 2024-02-29 10:00:00Z', 'a leap day is real');
});


test("a word quoted as a shell reads it, a path or a value of a command line to paste, keeps its times as written; apostrophes do not quote", () => {
  const mark = (iso: string) => `<${iso.slice(11, 16)}>`;
  const line = "stopped at 2026-12-07T20:05:00.000Z: start it again with opsdeck worker --registry='/srv/releases/2026-12-07T20:00:00Z/registry.yaml' '/srv/it'\\''s/2026-12-07T20:00:00Z'";
  assert.equal(withTimes(line, mark), "stopped at <20:05>: start it again with opsdeck worker --registry='/srv/releases/2026-12-07T20:00:00Z/registry.yaml' '/srv/it'\\''s/2026-12-07T20:00:00Z'");
  const prose = "the worker's last heartbeat at 2026-12-07T20:00:00Z, its breaker's at 2026-12-07T21:00:00Z";
  assert.equal(withTimes(prose, mark), "the worker's last heartbeat at <20:00>, its breaker's at <21:00>");
});
