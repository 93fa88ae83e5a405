import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreakerConfig } from '../../shared/registry.ts';
import { silentLogger } from '../log/logger.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { BreakerKeeper } from './breakerKeeper.ts';
import { EngineEmitter } from './engineEvents.ts';

/** The store, except that its breakers do not answer while `away` says so: the moments a connection drops. */
function withBreakersAway(store: Store, away: () => boolean): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      if ((key === 'saveBreaker' || key === 'getBreaker') && away()) {
        return async () => {
          throw new StoreError('unreachable', 'the store did not answer', 'it comes back');
        };
      }
      return (...args: unknown[]): unknown => Reflect.apply(value, target, args);
    },
  });
}

test('failures the store could not take while it was away still count toward the breaker once it is back', async () => {
  const db = await createSqliteTestStore();
  let away = true;
  const keeper = new BreakerKeeper({
    store: withBreakersAway(db.store, () => away),
    config: () => CircuitBreakerConfig.parse({ failure_threshold: 3 }),
    emitter: new EngineEmitter(silentLogger),
    log: silentLogger,
    changed: () => {},
  });
  try {
    const error = { message: 'upstream 503', error_class: 'http', fingerprint: 'fp-503' };
    for (let attempt = 1; attempt <= 3; attempt++) {
      const failed = { jobId: attempt, attemptId: attempt, workerId: 'w', kind: 'failed' as const, outcome: 'failed' as const, error };
      keeper.recordSettled(failed, 'payments', false, new Date());
    }
    await keeper.flush();
    assert.equal(await db.store.getBreaker('payments'), null, 'nothing was written while the store was away');
    away = false;
    await keeper.flush();
    assert.equal((await db.store.getBreaker('payments'))?.state, 'open');
  } finally {
    keeper.close();
    await db.cleanup();
  }
});
