import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunners } from '../runners/registry.ts';
import { actor, enqueueOne, startEngine, waitFor, waitForStatus, type StartedEngine } from './testing/harness.ts';

/** A breaker tuned at run time (opsdeck breaker tune) binds a running worker, without a restart or a registry edit. */
describe('engine: breaker tuning', () => {
  let started: StartedEngine;

  before(async () => {
    started = await startEngine(
      [{ name: 'flaky', execution_type: 'noop', runner_config: { fail: true }, circuit_breaker: { failure_threshold: 5, minimum_volume: 3 } }],
      { runners: createRunners({ killGraceMs: 300 }), concurrency: 2, leaseMs: 2000, pollMs: 20, env: {} },
    );
  });

  after(async () => {
    await started.cleanup();
  });

  test('the registry allows five failures; tuned to one, the next failure opens the breaker', async () => {
    const { store } = started;
    const first = await enqueueOne(store, 'flaky', 'noop', 1);
    await waitForStatus(store, first, 'failed');
    await waitFor('the first failure to be counted', async () => ((await store.getBreaker('flaky'))?.window_failures ?? 0) >= 1);
    assert.equal((await store.getBreaker('flaky'))?.state, 'closed', 'one failure is below the registry threshold');

    await store.tuneBreaker('flaky', { failure_threshold: 1, minimum_volume: 1 }, actor, 'trip early');
    // The tuning reaches the worker by the breakers signal (or its next refresh). Each further failure is
    // judged by the numbers the worker holds: the breaker must open well before the registry's five.
    let open = false;
    for (let i = 0; i < 3 && !open; i++) {
      const next = await enqueueOne(store, 'flaky', 'noop', 1);
      await waitForStatus(store, next, 'failed');
      open = await waitFor('the failure to be counted', async () => {
        const b = await store.getBreaker('flaky');
        return b && (b.state === 'open' ? 'open' : b.window_failures >= i + 2 ? 'closed' : null);
      }).then((s) => s === 'open');
    }
    assert.equal(open, true, 'the breaker opened at most four failures in: the tuned threshold, not the registry, decided');

    const held = await enqueueOne(store, 'flaky', 'noop', 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await store.getJob(held))?.status, 'pending', 'an open breaker holds the next job');
  });
});

/** A rate limit set at run time (opsdeck rate-limit tune) binds a worker, and its forgetting frees the jobs it held. */
describe('engine: rate limit tuning', () => {
  let started: StartedEngine;

  before(async () => {
    // The registry gives the service no rate limit: only the tuning can hold its jobs.
    started = await startEngine(
      [{ name: 'steady', execution_type: 'noop', runner_config: {} }],
      { runners: createRunners({ killGraceMs: 300 }), concurrency: 4, leaseMs: 2000, pollMs: 20, env: {} },
      (store) => store.tuneRateLimit('steady', { settings: { limit: 2, per: '1h' } }, null, actor, 'upstream 429s'),
    );
  });

  after(async () => {
    await started.cleanup();
  });

  test('two starts an hour, as tuned, until the tuning is forgotten', async () => {
    const { store } = started;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await enqueueOne(store, 'steady', 'noop', 1));
    const completed = async () => (await Promise.all(ids.map((id) => store.getJob(id)))).filter((j) => j?.status === 'completed').length;
    await waitFor('the two starts the tuning allows', async () => ((await completed()) >= 2 ? true : null));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await completed(), 2, 'the other three wait for the next hour');

    await store.tuneRateLimit('steady', { settings: null }, null, actor, 'incident over');
    await waitFor('the held jobs to run once the tuning is gone', async () => ((await completed()) === 5 ? true : null));
  });
});
