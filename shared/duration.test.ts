import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, windowText } from './duration.ts';

describe('parseDuration', () => {
  it('reads seconds, minutes, hours, days and weeks; a bare number is seconds', () => {
    assert.deepEqual(['45', '90s', '10m', '2h', '30d', '1w', ' 3 H '].map(parseDuration), [45, 90, 600, 7200, 2_592_000, 604_800, 10_800]);
  });

  it('refuses anything else', () => {
    assert.deepEqual(['', 'm', '-5m', '1.5h', '10 minutes', '3y', '10m5s'].map(parseDuration), [null, null, null, null, null, null, null]);
  });
});

describe('windowText', () => {
  it('writes a window in its largest whole unit, a day as 24h, and each reads back as the same window', () => {
    const minutes = [15, 60, 90, 360, 1440, 2880, 10_080, 43_200, 1500];
    const texts = minutes.map(windowText);
    assert.deepEqual(texts, ['15m', '1h', '90m', '6h', '24h', '2d', '7d', '30d', '25h']);
    assert.deepEqual(texts.map((t) => (parseDuration(t) ?? 0) / 60), minutes);
  });
});
