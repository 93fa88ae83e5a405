import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import type { Store } from '../store/store.ts';
import { err, job } from '../store/contract/fixtures.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const REGISTRY = ['services:', '  - { name: mem_hog, execution_type: noop }', '  - { name: flaky, execution_type: noop, queue: slow }', ''].join('\n');

/** Dead letters of `service` on `queue`, failed with `fingerprint`, by a worker that is gone: their ids. */
async function deadLetters(store: Store, service: string, queue: string, n: number, fingerprint: string): Promise<number[]> {
  await store.enqueue(Array.from({ length: n }, () => job(service, { queue, max_attempts: 1 })));
  const claimed = await store.claim({ workerId: 'gone', limit: n, leaseMs: 60_000, queues: [queue] });
  assert.equal(claimed.length, n);
  await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'gone', kind: 'failed' as const, outcome: 'failed' as const, error: err('out of memory', fingerprint) })));
  return claimed.map((c) => c.id).sort((a, b) => a - b);
}

/** Runbook 001's retry of every dead letter matching a failure, over real HTTP: what it says, as `opsdeck dlq retry` says it. */
describe('REST API v1: POST /v1/dlq/retry says what it did, which jobs, and whether any worker will run them', () => {
  let rest: RestFixture;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-dlq-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    rest = await startRestFixture(registry, {});
  });
  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const retry = async (body: unknown) => {
    const res = await rest.call('POST', '/v1/dlq/retry', rest.operateKey, body);
    assert.equal(res.status, 200, res.text);
    return calls['dlq.retry'].output.parse(res.json);
  };

  it('a dry run and the retry each say it in a sentence, list the jobs, and say no worker is running to run them', async () => {
    const ids = await deadLetters(rest.runtime.ctx.store, 'mem_hog', 'default', 3, 'fp-oom');
    const nobody = { service: 'mem_hog', queue: 'default', reason: 'no worker is running (start one: opsdeck worker on a server)' };
    const dry = await retry({ selector: { fingerprint: 'fp-oom' }, dry_run: true });
    assert.deepEqual(dry, {
      dry_run: true,
      matched: 3,
      affected: 0,
      job_ids: ids,
      unserved: [nobody],
      note: 'would retry 3 dead letters; no live worker runs them: mem_hog (queue default): no worker is running (start one: opsdeck worker on a server)',
    });
    const done = await retry({ selector: { fingerprint: 'fp-oom' } });
    assert.deepEqual(done, { ...dry, dry_run: false, affected: 3, note: 'retried 3 dead letters; no live worker runs them: mem_hog (queue default): no worker is running (start one: opsdeck worker on a server)' });
  });

  it('a live worker taking the queue runs them: only the services none takes are named', async () => {
    const { store } = rest.runtime.ctx;
    await store.registerWorker({ id: 'w-default', host: 'h', pid: 1, version: 'x', concurrency: 4, queues: ['default'] });
    const served = await deadLetters(store, 'mem_hog', 'default', 1, 'fp-mixed');
    const slow = await deadLetters(store, 'flaky', 'slow', 1, 'fp-mixed');
    const done = await retry({ selector: { fingerprint: 'fp-mixed' } });
    assert.deepEqual(done.job_ids, [...served, ...slow]);
    assert.deepEqual(done.unserved, [{ service: 'flaky', queue: 'slow', reason: 'no running worker takes queue slow (each was started with --queues naming others)' }]);
    assert.equal(done.note, 'retried 2 dead letters; no live worker runs them: flaky (queue slow): no running worker takes queue slow (each was started with --queues naming others)');
    const one = await deadLetters(store, 'mem_hog', 'default', 1, 'fp-one');
    assert.deepEqual(await retry({ selector: { job_ids: one } }), { dry_run: false, matched: 1, affected: 1, job_ids: one, note: 'retried 1 dead letter' }, 'every one taken: nothing more to say');
  });

  it('past 100 jobs, the first 100 by id and how many more', async () => {
    const ids = await deadLetters(rest.runtime.ctx.store, 'mem_hog', 'default', 103, 'fp-many');
    const dry = await retry({ selector: { fingerprint: 'fp-many' }, dry_run: true });
    assert.deepEqual([dry.job_ids, dry.job_ids_more, dry.note], [ids.slice(0, 100), 3, 'would retry 103 dead letters']);
  });
});
