import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from './retryAfter.ts';

test('Retry-After in seconds and as an HTTP date', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(null, now), null);
});
