import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { BreakerTuning } from '../../../shared/breakerTuning.ts';
import { alice, ALICE, auditActions, sleep, waitForSignal } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

/** Breaker settings tuned at run time: merged key by key, forgotten on request, audited, announced. */
export function breakerTuningContract(test: ContractTest): void {
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
}
