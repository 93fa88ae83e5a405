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
      const first = BreakerTuning.parse(await store.tuneBreaker('payments', { failure_threshold: 10 }, alice, 'flaky upstream'));
      assert.deepEqual(first.settings, { failure_threshold: 10 });
      assert.equal(first.set_by, ALICE);
      assert.equal(first.reason, 'flaky upstream');
      const second = BreakerTuning.parse(await store.tuneBreaker('payments', { recovery_timeout: 30 }, alice, null));
      assert.deepEqual(second.settings, { failure_threshold: 10, recovery_timeout: 30 }, 'earlier keys stay');
      await store.tuneBreaker('mailer', { minimum_volume: 1 }, alice, null);
      const listed = await store.listBreakerTunings();
      assert.deepEqual(listed.map((t) => [t.service_name, t.settings]), [
        ['mailer', { minimum_volume: 1 }],
        ['payments', { failure_threshold: 10, recovery_timeout: 30 }],
      ]);
      assert.equal(await store.tuneBreaker('payments', null, alice, 'back to the registry'), null);
      assert.deepEqual((await store.listBreakerTunings()).map((t) => t.service_name), ['mailer']);

      const audits = (await auditActions(store)).filter((a) => a.action === 'breaker.tune' && a.target === 'payments').reverse();
      assert.equal(audits.length, 3);
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
    test('tunes key by key apart from the breakers, forgets on null, audits each change', async (store) => {
      assert.deepEqual(await store.listRateLimitTunings(), []);
      await store.tuneBreaker('payments', { failure_threshold: 10 }, alice, null);
      const first = RateLimitTuning.parse(await store.tuneRateLimit('payments', { limit: 50, per: '1m' }, alice, 'upstream 429s'));
      assert.deepEqual(first.settings, { limit: 50, per: '1m' });
      assert.equal(first.set_by, ALICE);
      const second = RateLimitTuning.parse(await store.tuneRateLimit('payments', { max_concurrent: 2 }, alice, null));
      assert.deepEqual(second.settings, { limit: 50, per: '1m', max_concurrent: 2 }, 'earlier keys stay');
      assert.equal(second.reason, 'upstream 429s', 'a change given no reason keeps why the service is tuned');
      assert.equal((await store.listRateLimitTunings())[0]?.reason, 'upstream 429s');
      assert.deepEqual((await store.listBreakerTunings()).map((t) => t.settings), [{ failure_threshold: 10 }], 'the breaker tuning is its own');
      assert.equal(await store.tuneRateLimit('payments', null, alice, 'incident over'), null);
      assert.deepEqual(await store.listRateLimitTunings(), []);
      assert.equal((await store.listBreakerTunings()).length, 1, 'forgetting the rate limit leaves the breaker tuned');

      const audits = (await auditActions(store)).filter((a) => a.action === 'rate_limit.tune' && a.target === 'payments').reverse();
      assert.deepEqual(
        audits.map((a) => a.details),
        [
          { reason: 'upstream 429s', from: {}, to: { limit: 50, per: '1m' } },
          { reason: null, from: { limit: 50, per: '1m' }, to: { limit: 50, per: '1m', max_concurrent: 2 } },
          { reason: 'incident over', from: { limit: 50, per: '1m', max_concurrent: 2 }, to: null },
        ],
      );
    });

    test('a rate limit tuning is announced to other processes sharing the store', async (store, handle) => {
      if (!handle.openSecond) return;
      const other = await handle.openSecond();
      try {
        const heard = waitForSignal(other, 'breakers', 5000);
        await sleep(100);
        await store.tuneRateLimit('payments', { limit: 1, per: '1s' }, alice, null);
        assert.equal(await heard, true);
        assert.deepEqual((await other.listRateLimitTunings()).map((t) => t.settings), [{ limit: 1, per: '1s' }]);
      } finally {
        await other.close();
      }
    });
  });
}
