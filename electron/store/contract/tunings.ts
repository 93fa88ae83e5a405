import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { BreakerTuning } from '../../../shared/breakerTuning.ts';
import { RateLimitTuning } from '../../../shared/rateLimitTuning.ts';
import { alice, ALICE, auditActions, sleep, waitForSignal } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** Breaker and rate limit settings tuned at run time: merged key by key, forgotten on request, audited, announced. */
export function tuningsContract(test: ContractTest): void {
  describe('breaker tuning', () => {
    test('tunes key by key, forgets on null, audits each change', async (store) => {
      assert.deepEqual(await store.listBreakerTunings(), []);
      const firstTune = await store.tuneBreaker('payments', { failure_threshold: 10 }, alice, 'flaky upstream');
      assert.equal(firstTune.changed, true);
      const first = BreakerTuning.parse(firstTune.tuning);
      assert.deepEqual(first.settings, { failure_threshold: 10 });
      assert.equal(first.set_by, ALICE);
      assert.equal(first.reason, 'flaky upstream');
      const second = BreakerTuning.parse((await store.tuneBreaker('payments', { recovery_timeout: 30 }, alice, null)).tuning);
      assert.deepEqual(second.settings, { failure_threshold: 10, recovery_timeout: 30 }, 'earlier keys stay');
      const repeat = await store.tuneBreaker('payments', { recovery_timeout: 30 }, alice, 'again');
      assert.deepEqual([repeat.changed, repeat.tuning?.settings], [false, { failure_threshold: 10, recovery_timeout: 30 }], 'a repeat changes nothing');
      await store.tuneBreaker('mailer', { minimum_volume: 1 }, alice, null);
      const listed = await store.listBreakerTunings();
      assert.deepEqual(listed.map((t) => [t.service_name, t.settings]), [
        ['mailer', { minimum_volume: 1 }],
        ['payments', { failure_threshold: 10, recovery_timeout: 30 }],
      ]);
      assert.deepEqual(await store.tuneBreaker('payments', null, alice, 'back to the registry'), { tuning: null, changed: true });
      assert.deepEqual(await store.tuneBreaker('payments', null, alice, 'again'), { tuning: null, changed: false });
      assert.deepEqual((await store.listBreakerTunings()).map((t) => t.service_name), ['mailer']);

      const audits = (await auditActions(store)).filter((a) => a.action === 'breaker.tune' && a.target === 'payments').reverse();
      assert.equal(audits.length, 3, 'the repeats are not audited');
      assert.ok(audits.every((a) => a.actor === ALICE));
      assert.deepEqual(audits[1]?.details, { reason: null, from: { failure_threshold: 10 }, to: { failure_threshold: 10, recovery_timeout: 30 } });
      assert.deepEqual(audits[2]?.details, { reason: 'back to the registry', from: { failure_threshold: 10, recovery_timeout: 30 }, to: null });
    });

    test('a tuning is announced to other processes sharing the store', async (store, handle) => {
      if (!handle.openSecond) return;
      const other = await handle.openSecond();
      try {
        const heard = waitForSignal(other, 'breakers', 5000);
        await sleep(100);
        await store.tuneBreaker('payments', { failure_threshold: 2 }, alice, null);
        assert.equal(await heard, true);
        assert.deepEqual((await other.listBreakerTunings()).map((t) => t.settings), [{ failure_threshold: 2 }]);
      } finally {
        // The second store is this test's to close: its listener must not outlive it.
        await other.close();
      }
    });
  });

  describe('rate limit tuning', () => {
    const registry = { service: 'payments', limit: 100, perMs: 60_000, maxConcurrent: 4 };
    const budget = (limit: number | null, maxConcurrent: number | null) => ({ limit, per_ms: limit === null ? null : 60_000, max_concurrent: maxConcurrent });

    test('tunes key by key apart from the breakers, forgets on null, audits each change with the budget in force; a repeat changes nothing', async (store) => {
      assert.deepEqual(await store.listRateLimitTunings(), []);
      await store.tuneBreaker('payments', { failure_threshold: 10 }, alice, null);
      const first = await store.tuneRateLimit('payments', { settings: { limit: 50 } }, registry, alice, 'upstream 429s');
      assert.equal(first.changed, true);
      assert.deepEqual(RateLimitTuning.parse(first.tuning).settings, { limit: 50 });
      assert.equal(first.tuning?.set_by, ALICE);
      const second = await store.tuneRateLimit('payments', { settings: { max_concurrent: 2 } }, registry, alice, null);
      assert.deepEqual(second.tuning?.settings, { limit: 50, max_concurrent: 2 }, 'earlier keys stay');
      assert.equal(second.tuning?.reason, 'upstream 429s', 'a change given no reason keeps why the service is tuned');
      assert.deepEqual(await store.tuneRateLimit('payments', { settings: { limit: 50 } }, registry, alice, 'again'), { tuning: second.tuning, changed: false }, 'a repeat');
      assert.deepEqual((await store.listBreakerTunings()).map((t) => t.settings), [{ failure_threshold: 10 }], 'the breaker tuning is its own');
      assert.deepEqual(await store.tuneRateLimit('payments', { settings: null }, registry, alice, 'incident over'), { tuning: null, changed: true });
      assert.deepEqual(await store.tuneRateLimit('payments', { settings: null }, registry, alice, null), { tuning: null, changed: false }, 'nothing left to forget');
      assert.deepEqual(await store.listRateLimitTunings(), []);
      assert.equal((await store.listBreakerTunings()).length, 1, 'forgetting the rate limit leaves the breaker tuned');

      const audits = (await auditActions(store)).filter((a) => a.action === 'rate_limit.tune' && a.target === 'payments').reverse();
      assert.deepEqual(
        audits.map((a) => a.details),
        [
          { reason: 'upstream 429s', from: {}, to: { limit: 50 }, in_force_before: budget(100, 4), in_force_after: budget(50, 4) },
          { reason: null, from: { limit: 50 }, to: { limit: 50, max_concurrent: 2 }, in_force_before: budget(50, 4), in_force_after: budget(50, 2) },
          { reason: 'incident over', from: { limit: 50, max_concurrent: 2 }, to: null, in_force_before: budget(50, 2), in_force_after: budget(100, 4) },
        ],
        'the repeats are not audited',
      );
    });

    test('two operators at once: both changes land, and two halvings make a quarter', async (store, handle) => {
      if (!handle.openSecond) return;
      const other = await handle.openSecond();
      try {
        await Promise.all([
          store.tuneRateLimit('payments', { settings: { limit: 5 } }, registry, alice, null),
          other.tuneRateLimit('payments', { settings: { max_concurrent: 1 } }, registry, alice, null),
        ]);
        assert.deepEqual((await store.listRateLimitTunings())[0]?.settings, { limit: 5, max_concurrent: 1 }, 'neither change lost');
        await store.tuneRateLimit('payments', { settings: null }, registry, alice, null);
        await Promise.all([
          store.tuneRateLimit('payments', { scale: 0.5 }, registry, alice, null),
          other.tuneRateLimit('payments', { scale: 0.5 }, registry, alice, null),
        ]);
        assert.deepEqual((await store.listRateLimitTunings())[0]?.settings, { limit: 25, max_concurrent: 1 });
      } finally {
        await other.close();
      }
    });

    test('a rate limit tuning is announced to other processes sharing the store', async (store, handle) => {
      if (!handle.openSecond) return;
      const other = await handle.openSecond();
      try {
        const heard = waitForSignal(other, 'breakers', 5000);
        await sleep(100);
        await store.tuneRateLimit('payments', { settings: { limit: 1, per: '1s' } }, null, alice, null);
        assert.equal(await heard, true);
        assert.deepEqual((await other.listRateLimitTunings()).map((t) => t.settings), [{ limit: 1, per: '1s' }]);
      } finally {
        await other.close();
      }
    });
  });
}
