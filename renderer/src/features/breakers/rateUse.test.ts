import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateUseParts } from './rateUse.ts';

test('the rate limit in use reads as used of allowed, per period and running', () => {
  const base = { service_name: 'api', limit: 10, per_ms: 1000, used: 7, max_concurrent: 2, running: 2, paused_until: null, pause_reason: null, waiting_reason: null };
  assert.deepEqual(rateUseParts(base), ['7 / 10 per 1s', '2 / 2 running']);
  assert.deepEqual(rateUseParts({ ...base, limit: null, per_ms: null, max_concurrent: null }), []);
  assert.deepEqual(rateUseParts({ ...base, per_ms: 60_000 }), ['7 / 10 per 1m', '2 / 2 running']);
  assert.deepEqual(rateUseParts(null), []);
});
