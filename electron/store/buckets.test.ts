import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillBuckets } from './buckets.ts';

describe('fillBuckets', () => {
  it('fills quiet buckets with zeros between since and now', () => {
    const since = new Date('2026-01-01T00:00:30Z');
    const now = new Date('2026-01-01T00:03:10Z');
    const out = fillBuckets([{ bucket: Date.parse('2026-01-01T00:01:00Z') / 1000, completed: 4, failed: 1 }], since, now, 60);
    assert.deepEqual(out, [
      { at: '2026-01-01T00:00:00.000Z', completed: 0, failed: 0 },
      { at: '2026-01-01T00:01:00.000Z', completed: 4, failed: 1 },
      { at: '2026-01-01T00:02:00.000Z', completed: 0, failed: 0 },
      { at: '2026-01-01T00:03:00.000Z', completed: 0, failed: 0 },
    ]);
  });

  it('keeps a runaway window bounded', () => {
    const out = fillBuckets([], new Date(0), new Date('2026-01-01T00:00:00Z'), 1);
    assert.equal(out.length, 10_000);
    assert.equal(out.at(-1)?.at, '2026-01-01T00:00:00.000Z');
  });
});
