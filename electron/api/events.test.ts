import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventName } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createEventFeed } from './events.ts';
import { createTestContext } from './testing/apiTestContext.ts';

/** Resolves with the first event of a name that satisfies `test`, or rejects after `ms`. */
function next(
  feed: ReturnType<typeof createEventFeed>,
  name: EventName,
  test: (payload: unknown) => boolean = () => true,
  ms = 5000,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const off = feed.on((event, payload) => {
      if (event !== name || !test(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

describe('createEventFeed', () => {
  it('sends stats.tick at once and forwards job, control and breaker changes from the store', async () => {
    const t = await createTestContext('services:\n  - name: svc\n    execution_type: noop\n');
    const feed = createEventFeed(t.ctx);
    try {
      const tick = await next(feed, 'stats.tick');
      assert.ok(typeof tick === 'object' && tick !== null && 'counts' in tick);

      const jobs = next(feed, 'jobs.changed');
      assert.equal((await dispatch('jobs.enqueue', { service: 'svc' }, t.ctx)).ok, true);
      await jobs;

      const control = next(feed, 'control.changed', (p) => JSON.stringify(p).includes('"engaged":true'));
      assert.equal((await dispatch('control.emergencyStop', { reason: 'test' }, t.ctx)).ok, true);
      await control;

      const breaker = next(feed, 'breaker.changed', (p) => typeof p === 'object' && p !== null && 'mode' in p && p.mode === 'force_open');
      assert.equal((await dispatch('breakers.setMode', { service: 'svc', mode: 'force_open' }, t.ctx)).ok, true);
      await breaker;
    } finally {
      feed.close();
      await t.cleanup();
    }
  });

  it("a breaker opened again after a reset gives its last error as the reason, not the reset's", async () => {
    const t = await createTestContext('services:\n  - name: svc\n    execution_type: noop\n');
    const feed = createEventFeed(t.ctx);
    try {
      await next(feed, 'stats.tick');
      const reset = next(feed, 'breaker.changed', (p) => typeof p === 'object' && p !== null && 'mode' in p && p.mode === 'auto');
      assert.equal((await dispatch('breakers.setMode', { service: 'svc', mode: 'force_open' }, t.ctx)).ok, true);
      assert.equal((await dispatch('breakers.setMode', { service: 'svc', mode: 'reset', reason: 'upstream recovered' }, t.ctx)).ok, true);
      await reset;
      // Another worker's engine opens it: this process hears of it through the store.
      const record = await t.store.getBreaker('svc');
      assert.ok(record);
      const opened = next(feed, 'breaker.changed', (p) => typeof p === 'object' && p !== null && 'state' in p && p.state === 'open');
      const at = new Date().toISOString();
      const open = { ...record, state: 'open' as const, opened_at: at, last_transition_at: at, last_error: 'upstream said 503', version: record.version + 1 };
      assert.equal(await t.store.saveBreaker(open, { from: 'closed', to: 'open', reason: 'failure threshold reached' }), true);
      assert.deepEqual(await opened, { service: 'svc', state: 'open', mode: 'auto', reason: 'upstream said 503' });
    } finally {
      feed.close();
      await t.cleanup();
    }
  });

  it('reports a store that stops answering, once', async () => {
    const t = await createTestContext();
    const feed = createEventFeed(t.ctx);
    try {
      await next(feed, 'stats.tick');
      const down = next(feed, 'store.status', (p) => typeof p === 'object' && p !== null && 'ok' in p && p.ok === false, 6000);
      await t.store.close();
      await down;
    } finally {
      feed.close();
      await t.cleanup().catch(() => undefined);
    }
  });
});
