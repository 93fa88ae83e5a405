import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ungatedView, type RateLimitView } from '../../../../shared/rateLimitTuning.ts';
import { rateFields, rateTuningChanges } from './rateTuning.ts';

const limited: RateLimitView = { ...ungatedView('partner_api'), limit: 100, per_ms: 60_000, max_concurrent: 4, registry: { limit: 100, per_ms: 60_000, max_concurrent: 4 } };

test('the form opens on the budget in force and stores only what changed', () => {
  const fields = rateFields(limited);
  assert.deepEqual(fields, { limit: '100', per: '1m', max_concurrent: '4' });
  assert.deepEqual(rateTuningChanges({ ...fields, limit: '50' }, limited), { settings: { limit: 50 } });
  assert.deepEqual(rateTuningChanges({ ...fields, per: '60s' }, limited), { problem: "Nothing changed: edit a value, halve the budget, or go back to the registry's settings" }, '60s is the period in force');
  assert.deepEqual(rateTuningChanges({ ...fields, per: '1h', max_concurrent: '2' }, limited), { settings: { per: '1h', max_concurrent: 2 } });
});

test('each problem names its field', () => {
  const fields = rateFields(limited);
  assert.deepEqual(rateTuningChanges({ ...fields, limit: '0' }, limited), { problem: 'Limit must be a whole number, 1 or more' });
  assert.deepEqual(rateTuningChanges({ ...fields, max_concurrent: 'two' }, limited), { problem: 'Max concurrent must be a whole number, 1 or more' });
  assert.deepEqual(rateTuningChanges({ ...fields, per: 'hourly' }, limited), { problem: 'Period must be a period such as 1s, 500ms, 1m or 1h' });
  assert.deepEqual(rateTuningChanges({ ...fields, per: '48h' }, limited), { problem: 'Period: must be between 100ms and 24h' });
  assert.deepEqual(rateTuningChanges({ ...fields, limit: '' }, limited), { problem: "A budget in force cannot be blanked here: lower it, or go back to the registry's settings" });
});

test('a service nothing gates needs a period with its limit, or a max_concurrent alone', () => {
  const free = ungatedView('reports');
  const fields = rateFields(free);
  assert.deepEqual(fields, { limit: '', per: '', max_concurrent: '' });
  assert.deepEqual(rateTuningChanges({ ...fields, limit: '5' }, free), { problem: 'reports has no rate limit yet: give its period (per) with the limit, e.g. 5 per 1m' });
  assert.deepEqual(rateTuningChanges({ ...fields, limit: '5', per: '1m' }, free), { settings: { limit: 5, per: '1m' } });
  assert.deepEqual(rateTuningChanges({ ...fields, max_concurrent: '1' }, free), { settings: { max_concurrent: 1 } });
});
