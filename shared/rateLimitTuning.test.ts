import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceGate } from './rateLimit.ts';
import { budgetOf, rateLimitStep, scaledBudget, tunedGates, tuningProblem, type RateLimitTuning } from './rateLimitTuning.ts';

const tuning = (service_name: string, settings: RateLimitTuning['settings']): RateLimitTuning => ({
  service_name,
  settings,
  set_by: 'alice',
  set_at: '2026-12-06T00:00:00.000Z',
  reason: null,
});
const gate = (service: string, limit: number | null, perMs: number, maxConcurrent: number | null): ServiceGate => ({ service, limit, perMs, maxConcurrent });

test('a tuning lays its keys over the registry gate and keeps the rest', () => {
  const registry = [gate('payments', 100, 60_000, 8), gate('mailer', 10, 1000, null)];
  assert.equal(tunedGates(registry, []), registry, 'no tuning: the registry gates as they are');
  assert.deepEqual(tunedGates(registry, [tuning('payments', { limit: 50 })]), [gate('payments', 50, 60_000, 8), gate('mailer', 10, 1000, null)]);
  assert.deepEqual(tunedGates(registry, [tuning('mailer', { per: '1m', max_concurrent: 2 })]), [gate('payments', 100, 60_000, 8), gate('mailer', 10, 60_000, 2)]);
});

test('a tuning can gate a service the registry leaves free', () => {
  assert.deepEqual(tunedGates([], [tuning('reports', { limit: 5, per: '1h' })]), [gate('reports', 5, 3_600_000, null)]);
  assert.deepEqual(tunedGates([], [tuning('reports', { max_concurrent: 1 })]), [gate('reports', null, 1000, 1)]);
});

test('a rate needs a limit and a period; scale needs something to scale and no numbers beside it', () => {
  const none = { limit: null, per_ms: null, max_concurrent: null };
  const limited = { limit: 100, per_ms: 60_000, max_concurrent: null };
  assert.match(tuningProblem('reports', none, { limit: 5 }, undefined) ?? '', /reports has no rate limit yet: give its period \(per\) with the limit, e\.g\. 5 per 1m/);
  assert.match(tuningProblem('reports', none, { per: '1m' }, undefined) ?? '', /give a limit with the period \(per\)/);
  assert.match(tuningProblem('reports', none, {}, 0.5) ?? '', /no rate limit or max_concurrent to scale/);
  assert.match(tuningProblem('payments', limited, { limit: 5 }, 0.5) ?? '', /either a scale or new numbers/);
  assert.equal(tuningProblem('payments', limited, { limit: 5 }, undefined), null, 'the period in force stays');
  assert.equal(tuningProblem('reports', none, { limit: 5, per: '1m' }, undefined), null);
  assert.equal(tuningProblem('reports', none, { max_concurrent: 3 }, undefined), null);
});

test('scaling halves what is in force, never below one', () => {
  assert.deepEqual(scaledBudget({ limit: 100, per_ms: 60_000, max_concurrent: 3 }, 0.5), { limit: 50, max_concurrent: 2 });
  assert.deepEqual(scaledBudget({ limit: 1, per_ms: 1000, max_concurrent: null }, 0.1), { limit: 1 });
  assert.deepEqual(scaledBudget({ limit: null, per_ms: null, max_concurrent: 4 }, 2), { max_concurrent: 8 });
});

test('a budget shows no period when it has no rate', () => {
  assert.deepEqual(budgetOf(gate('a', null, 1000, 2)), { limit: null, per_ms: null, max_concurrent: 2 });
  assert.equal(budgetOf(undefined), null);
});

test('a step is decided from the tuning stored now: a scale halves what is in force, the budgets before and after go with it', () => {
  const registry = gate('payments', 100, 60_000, 4);
  const budget = (limit: number | null, maxConcurrent: number | null) => ({ limit, per_ms: limit === null ? null : 60_000, max_concurrent: maxConcurrent });
  assert.deepEqual(rateLimitStep('payments', registry, null, { scale: 0.5 }), { settings: { limit: 50, max_concurrent: 2 }, before: budget(100, 4), after: budget(50, 2) });
  assert.deepEqual(rateLimitStep('payments', registry, { limit: 50, max_concurrent: 2 }, { scale: 0.5 }), { settings: { limit: 25, max_concurrent: 1 }, before: budget(50, 2), after: budget(25, 1) });
  assert.deepEqual(rateLimitStep('payments', registry, { limit: 5 }, { settings: null }), { settings: null, before: budget(5, 4), after: budget(100, 4) });
  assert.deepEqual(rateLimitStep('reports', undefined, null, { settings: { max_concurrent: 1 } }), { settings: { max_concurrent: 1 }, before: null, after: budget(null, 1) });
});
