import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls, type CallName } from '../../shared/contract.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { dispatch } from './dispatch.ts';
import { WORKER_LOST_AFTER_MS } from './handlers/workers.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';
import { createRuntime, type Runtime } from './runtime.ts';

async function until(what: string, done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(done(), what);
}

/**
 * The drill: right after PostgreSQL came back, the console's first read came before the workers' first
 * heartbeat, and the Runners page called both healthy workers lost (Forget buttons, "no live worker runs
 * these services ... start one"). The serving process knows when its store stopped and started answering:
 * for a worker's grace after that, one that was live when the store stopped answering is reconnecting.
 */
describe('workers reconnecting after an outage of the store', () => {
  let db: TestDatabase;
  let dir: string;
  let runtime: Runtime;

  async function answered(name: CallName): Promise<unknown> {
    const answer = await dispatch(name, {}, runtime.ctx);
    if (!answer.ok) throw new Error(`${name}: ${answer.error.message}`);
    return answer.result;
  }
  const workersNow = async () => calls['workers.list'].output.parse(await answered('workers.list'));
  /** The first answer of `read` once the store takes connections again, retried while it still refuses them. */
  async function firstAnswer<T>(read: () => Promise<T>): Promise<T> {
    for (let tried = 0; ; tried++) {
      try {
        return await read();
      } catch (error) {
        if (tried >= 100) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-reconnect-'));
    const registryPath = join(dir, 'registry.yaml');
    await writeFile(registryPath, 'services:\n  - name: greeter\n    execution_type: noop\n');
    runtime = await createRuntime({ words: CONSOLE_WORDS, db: db.url, registryPath, execute: false, watchStore: true, env: { ...process.env, OPSDECK_REGISTRY: '' } });
  });

  after(async () => {
    await db.allowConnections(true).catch(() => undefined);
    await runtime.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a worker live when the store stopped answering as reconnecting, not lost, until its heartbeat or its grace ends; one lost before stays lost', { timeout: 90_000 }, async () => {
    const store = runtime.ctx.store;
    const worker = { host: 'srv-1', pid: 1, version: 'test', concurrency: 2, queues: null, services: ['greeter'] };
    for (const id of ['w-back', 'w-silent', 'w-gone']) await store.registerWorker({ id, ...worker });
    await withClient(db.url, (c) => c.query(`UPDATE jobs.tb_worker SET last_heartbeat_at = now() - interval '1 hour' WHERE id = 'w-gone'`));
    // A dead letter of the service they run, for a retry to send back while they reconnect.
    await store.enqueue([{ queue: 'default', service_name: 'greeter', execution_type: 'noop', max_attempts: 1 }]);
    const [claimed] = await store.claim({ workerId: 'w-back', limit: 1, leaseMs: 60_000 });
    assert.ok(claimed);
    await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w-back', kind: 'failed', outcome: 'failed', error: { message: 'refused', error_class: 'test', fingerprint: 'fp-refused' } }]);
    const watch = runtime.ctx.storeWatch;
    assert.ok(watch, 'a runtime that watches its store has a record of its outages');

    await db.allowConnections(false);
    await until('the outage seen', () => watch.outage?.to === null, 10_000);
    // Longer than a worker may go without a heartbeat: by their age alone, every worker is lost now.
    await new Promise((r) => setTimeout(r, WORKER_LOST_AFTER_MS + 1000));
    await db.allowConnections(true);
    // Read at once, as the console's refetch does the moment any call answers: before the watch's own probe
    // or the next tick tells it the store is back, the read itself must.
    const after = await firstAnswer(() => workersNow());
    assert.equal(typeof watch.outage?.to, 'string', 'the read that answered ended the outage');
    const state = (id: string) => after.workers.find((w) => w.id === id)?.state;
    assert.deepEqual([state('w-back'), state('w-silent'), state('w-gone')], ['reconnecting', 'reconnecting', 'lost']);
    assert.ok(after.workers.filter((w) => w.state === 'reconnecting').every((w) => !w.lost && w.in_flight === null && w.reported_state === 'running'));
    const outage = after.store_outage;
    assert.ok(outage !== null, 'the outage, with its times');
    assert.equal(outage.to, watch.outage?.to);
    assert.equal(Date.parse(outage.reconnect_until) - Date.parse(outage.to), WORKER_LOST_AFTER_MS);
    assert.deepEqual(calls['runners.list'].output.parse(await answered('runners.list')).unserved, [], 'no service is said to have no worker for want of a first heartbeat');
    const retry = await dispatch('dlq.retry', { selector: { service: 'greeter' }, dry_run: true }, runtime.ctx);
    assert.ok(retry.ok, JSON.stringify(retry));
    assert.equal(calls['dlq.retry'].output.parse(retry.result).unserved, undefined, 'a retry does not say no worker runs greeter');
    const forget = await dispatch('workers.forget', { id: 'w-silent' }, runtime.ctx);
    assert.equal(forget.ok ? 'forgotten' : forget.error.code, 'conflict');
    assert.match(forget.ok ? '' : forget.error.message, /^worker w-silent was live when the store stopped answering .* it counts as lost only if none comes by /);

    await store.heartbeat('w-back', { inFlight: 0, state: 'running' });
    assert.equal((await workersNow()).workers.find((w) => w.id === 'w-back')?.state, 'running');

    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(outage.reconnect_until) - Date.now()) + 100));
    const later = await workersNow();
    assert.equal(later.workers.find((w) => w.id === 'w-silent')?.state, 'lost', 'no heartbeat within its grace: lost');
    assert.equal(later.store_outage, null);
  });
});
