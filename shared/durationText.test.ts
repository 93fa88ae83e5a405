import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationText, secondsText } from './durationText.ts';

test('a duration reads in milliseconds below a second, in seconds below a minute, then as a span', () => {
  const cases: Array<[number, string]> = [
    [0.4, '0 ms'],
    [842.6, '843 ms'],
    [999.6, '1.00 s'],
    [4500, '4.50 s'],
    [5029, '5.03 s'],
    [9999.4, '10.0 s'],
    [12_345, '12.3 s'],
    [59_960, '1m 0s'],
    [125_000, '2m 5s'],
    [5 * 3600_000 + 12 * 60_000, '5h 12m'],
  ];
  assert.deepEqual(cases.map(([ms]) => durationText(ms, '-')), cases.map(([, text]) => text));
  assert.deepEqual([durationText(null, '—'), durationText(Number.NaN, '-')], ['—', '-']);
});

test('a span of seconds reads in its two largest units', () => {
  assert.deepEqual([secondsText(42.4), secondsText(423), secondsText(5 * 3600 + 12 * 60 + 59), secondsText(3 * 86_400 + 4 * 3600 + 1), secondsText(-5)], ['42s', '7m 3s', '5h 12m', '3d 4h', '0s']);
});
