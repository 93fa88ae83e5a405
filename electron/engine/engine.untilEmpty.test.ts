import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RegistryHolder } from '../config/holder.ts';
import type { NewJob, Store } from '../store/store.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { twoPostgresStores, twoSqliteStores, type TwoStores } from '../store/testing/twoStores.ts';
import { Engine } from './engine.ts';
import { actor, loadRegistry, tempDir } from './testing/harness.ts';

async function enqueue(store: Store, service: string, n: number, job: Partial<NewJob> = {}): Promise<number[]> {
  const results = await store.enqueue(Array.from({ length: n }, () => ({ queue: 'default', service_name: service, execution_type: 'noop' as const, max_attempts: 3, ...job })));
  return results.map((r) => r.id);
}


function engineOn(store: Store, holder: RegistryHolder): Engine {
  return new Engine({ store, registry: holder, concurrency: 4, pollMs: 20, maintenance: false, schedules: false });
}

function untilEmptySuite(name: string, open: () => Promise<TwoStores>): void {
  describe(`a worker run until empty, beside circuit breakers: ${name}`, () => {
    it('runs a job whose breaker an operator reset while its last claim was under way', async () => {
      const { first: store, second: operator, close } = await open();
      const tmp = await tempDir();
      let engine: Engine | null = null;
      try {
        const { holder } = await loadRegistry(tmp.dir, [{ name: 'vendor', execution_type: 'noop', runner_config: { sleep_ms: 0 } }]);
        await operator.setBreakerMode('vendor', 'force_open', actor, 'vendor maintenance');
        const [id = 0] = await enqueue(operator, 'vendor', 1);
        let reset = false;
        // The worker's breakers have been read since the reset: what its claims take has changed.
        let heard!: () => void;
        const reread = new Promise<void>((resolve) => (heard = resolve));
        let armed = false;
        const watched = storeWith(store, {
          listBreakers: async () => {
            const records = await store.listBreakers();
            if (reset && records.some((r) => r.service_name === 'vendor' && r.mode === 'auto')) heard();
            return records;
          },
          claim: async (request) => {
            const claimed = await store.claim(request);
            if (armed && request.excludeServices?.includes('vendor')) {
              armed = false;
              await operator.setBreakerMode('vendor', 'reset', actor, 'vendor is back');
              reset = true;
              await reread;
              // The rest of that read (the tunings) and what the worker makes of it.
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
            return claimed;
          },
        });
        engine = engineOn(watched, holder);
        await engine.start();
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal((await store.getJob(id))?.status, 'pending', 'held by the breaker until then');
        armed = true;
        await engine.runUntilEmpty();
        assert.equal(reset, true, 'the reset came during a claim that left the service out');
        assert.equal((await store.getJob(id))?.status, 'completed');
      } finally {
        await engine?.stop({ graceMs: 0 });
        await close();
        await tmp.cleanup();
      }
    });
  });
}

untilEmptySuite('SQLite', twoSqliteStores);
untilEmptySuite('PostgreSQL', twoPostgresStores);
