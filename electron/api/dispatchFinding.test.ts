import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { dispatchFinding } from './idleFleet.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

const REGISTRY = `
services:
  - name: payments
    execution_type: noop
  - name: reports
    execution_type: noop
`;

const alice = { user: 'alice', host: 'laptop' };

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function due(t: TestContext, queue: string, service: string, n: number): Promise<void> {
  await t.store.enqueue(Array.from({ length: n }, () => ({ queue, service_name: service, execution_type: 'noop' as const, max_attempts: 1 })));
}

async function brief(t: TestContext): Promise<string[]> {
  return (await dispatchFinding(t.ctx, await t.store.listWorkers(10_000))).brief;
}

describe("the dispatch check's causes in a few words (opsdeck status's line under the oldest due job)", () => {
  it('the control plane first, then the queues no live worker takes, each cause once', async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'payments', 2);
    await due(t, 'nightly', 'reports', 1);
    await t.store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: ['default'] });
    assert.deepEqual(await brief(t), ['no live worker takes queue nightly']);
    await t.store.setEmergencyStop(true, alice, 'incident 42');
    assert.deepEqual(await brief(t), ['the emergency stop is engaged', 'no live worker takes queue nightly']);
  });

  it('every due job in a paused queue says so; nothing holding them says nothing', async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'payments', 1);
    await t.store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: null });
    assert.deepEqual(await brief(t), []);
    await t.store.setQueuePaused('default', true, alice, 'maintenance');
    assert.deepEqual(await brief(t), ['every due job is in a paused queue']);
  });

  it('a fleet at its slots is named as the dispatch check warns of it', async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'payments', 1);
    await t.store.registerWorker({ id: 'w', host: 'h', pid: 1, version: 'x', concurrency: 2, queues: null });
    await t.store.heartbeat('w', { inFlight: 2, state: 'running' });
    assert.deepEqual(await brief(t), ['every live worker taking queue default is busy (2 of 2 slots, 1 worker)']);
  });
});
