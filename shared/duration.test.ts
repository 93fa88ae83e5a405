import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads seconds, minutes, hours, days and weeks; a bare number is seconds', () => {
    assert.deepEqual(['45', '90s', '10m', '2h', '30d', '1w', ' 3 H '].map(parseDuration), [45, 90, 600, 7200, 2_592_000, 604_800, 10_800]);
  });

  it('refuses anything else', () => {
    assert.deepEqual(['', 'm', '-5m', '1.5h', '10 minutes', '3y', '10m5s'].map(parseDuration), [null, null, null, null, null, null, null]);
  });
});
