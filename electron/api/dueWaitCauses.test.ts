import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { dueWaitCauses } from './dueWaitCauses.ts';
import { computeStats } from './handlers/overview.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

const REGISTRY = `
services:
  - name: payments
    execution_type: noop
    concurrency: 1
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

async function worker(t: TestContext, id: string, over: { queues?: string[] | null; services?: string[]; concurrency?: number } = {}): Promise<void> {
  await t.store.registerWorker({ id, host: 'h', pid: 1, version: 'x', concurrency: over.concurrency ?? 4, queues: over.queues ?? null, ...(over.services ? { services: over.services } : {}) });
}

async function causes(t: TestContext): Promise<string[]> {
  return dueWaitCauses(t.ctx, await computeStats(t.store));
}

describe("why due jobs wait in a few words, from what stays cheap on a big store (opsdeck status's line under the oldest due job)", () => {
  it('the control plane first, then the queues no live worker takes, each cause once', async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'reports', 2);
    await due(t, 'nightly', 'reports', 1);
    await worker(t, 'w', { queues: ['default'] });
    assert.deepEqual(await causes(t), ['no live worker takes queue nightly']);
    await t.store.setEmergencyStop(true, alice, 'incident 42');
    assert.deepEqual(await causes(t), ['the emergency stop is engaged', 'no live worker takes queue nightly']);
  });

  it('every due job in a paused queue says so; nothing holding them says nothing', async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'reports', 1);
    await worker(t, 'w');
    assert.deepEqual(await causes(t), []);
    await t.store.setQueuePaused('default', true, alice, 'maintenance');
    assert.deepEqual(await causes(t), ['every due job is in a paused queue']);
  });

  it('a fleet at its slots is named as the dispatch check warns of it', async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'reports', 1);
    await worker(t, 'w', { concurrency: 2 });
    await t.store.heartbeat('w', { inFlight: 2, state: 'running' });
    assert.deepEqual(await causes(t), ['every live worker taking queue default is busy (2 of 2 slots, 1 worker)']);
  });

  it("a service no live worker's registry has, and one every live worker that would take it lacks what it needs for", async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'reports', 3);
    await worker(t, 'w', { services: ['payments'] });
    assert.deepEqual(await causes(t), ["no live worker's registry has service reports"]);
    await worker(t, 'w', { services: ['payments', 'reports'] });
    const lack = { service: 'reports', execution_type: 'noop' as const, unset: ['REPORT_TOKEN'], docker: null, other: [], declined: true };
    await t.store.heartbeat('w', { inFlight: 0, state: 'running', cannotRun: { checked_at: new Date().toISOString(), services: [lack] } });
    assert.deepEqual(await causes(t), ['every live worker that would take service reports lacks what it needs']);
  });

  it("a breaker and a service's own limits hold their jobs, counted as pending, named beside a queue no live worker takes", async () => {
    t = await createTestContext(REGISTRY);
    await due(t, 'default', 'payments', 1);
    await worker(t, 'w');
    const [running] = await t.store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    assert.equal(running?.service_name, 'payments');
    await due(t, 'default', 'payments', 2);
    await due(t, 'default', 'reports', 4);
    await t.store.enqueue([{ queue: 'default', service_name: 'reports', execution_type: 'noop', max_attempts: 1, run_at: new Date(Date.now() + 3_600_000).toISOString() }]);
    const opened = new Date(Date.now() - 5_000).toISOString();
    assert.equal(await t.store.saveBreaker({ ...newBreakerRecord('reports', new Date()), state: 'open', opened_at: opened, left_closed_at: opened, last_transition_at: opened, version: 1 }, null), true);
    const held = ['the circuit breaker of reports holds its jobs (5 pending)', 'service payments held by its own limits (2 pending)'];
    assert.deepEqual(await causes(t), held);
    // No live worker takes their queue now: the breaker and the limits would hold those jobs all the same.
    await worker(t, 'w', { queues: ['other'] });
    assert.deepEqual(await causes(t), ['no live worker takes queue default', ...held]);
  });
});
