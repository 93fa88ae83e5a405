import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import type { Store } from '../store/store.ts';
import { err, job } from '../store/contract/fixtures.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const Refusal = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/**
 * Jobs made pending, then claimed by a worker that is no live one: running, or failed into the dead-letter
 * queue. On a queue of their own, so no other pending job is claimed in their place.
 */
async function claimed(store: Store, identifiers: string[], outcome: 'running' | 'failed'): Promise<void> {
  const queue = `q-${identifiers.join('-')}`;
  await store.enqueue(identifiers.map((identifier) => job('mem_hog', { identifier, max_attempts: 1, queue })));
  const jobs = await store.claim({ workerId: 'gone', limit: identifiers.length, leaseMs: 60_000, queues: [queue] });
  assert.equal(jobs.length, identifiers.length);
  if (outcome === 'running') return;
  await store.settle(jobs.map((j) => ({ jobId: j.id, attemptId: j.attempt_id, workerId: 'gone', kind: 'failed' as const, outcome: 'failed' as const, error: err('out of memory') })));
}

/** Runbook steps naming executions by their identifiers (`long-1`, `mem_hog-2`), over real HTTP on 127.0.0.1. */
describe('REST API v1: an execution is named by its id or its identifier wherever one is taken, as on the command line', () => {
  let rest: RestFixture;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-refs-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - { name: mem_hog, execution_type: noop }\n  - { name: long, execution_type: noop }\n');
    rest = await startRestFixture(registry, {});
  });
  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const idOf = async (identifier: string) => (await rest.runtime.ctx.store.getJob(identifier))?.id;

  it('waiting, retry, cancel and fail take an identifier, and act on that job, audited by its id', async () => {
    const { store } = rest.runtime.ctx;
    await claimed(store, ['mem_hog-2'], 'failed');
    await claimed(store, ['mem_hog-3'], 'running');
    // After the claims: the job left waiting for a worker.
    await store.enqueue([job('long', { identifier: 'long-1' })]);

    const waiting = await rest.call('GET', '/v1/executions/long-1/waiting', rest.readKey);
    assert.equal(waiting.status, 200, waiting.text);
    assert.deepEqual(calls['jobs.waiting'].output.parse(waiting.json).reasons, ['no worker is running (start one: opsdeck worker on a server)']);

    const retried = await rest.call('POST', '/v1/executions/mem_hog-2/retry', rest.operateKey, {});
    assert.equal(retried.status, 200, retried.text);
    const again = calls['jobs.retry'].output.parse(retried.json);
    assert.deepEqual([again.id, again.identifier, again.status], [await idOf('mem_hog-2'), 'mem_hog-2', 'pending']);
    const [audited] = (await store.listAudit({ action: 'job.retry' }, { limit: 1 })).items;
    assert.equal(audited?.target, String(again.id), 'audited by the id, as every job action is');

    const cancelled = await rest.call('POST', '/v1/executions/long-1/cancel', rest.operateKey, { reason: 'runbook: stop it' });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(calls['jobs.cancel'].output.parse(cancelled.json).status, 'cancelled');

    const failed = await rest.call('POST', '/v1/executions/mem_hog-3/fail', rest.operateKey, { reason: 'its worker is gone' });
    assert.equal(failed.status, 200, failed.text);
    assert.deepEqual([calls['jobs.fail'].output.parse(failed.json).identifier, calls['jobs.fail'].output.parse(failed.json).status], ['mem_hog-3', 'failed']);

    assert.equal((await rest.call('POST', '/v1/executions/long-1/retry', rest.operateKey, {})).status, 200, 'a cancelled job retried by its identifier');
    const refused = await rest.call('POST', '/v1/executions/mem_hog-3/cancel', rest.operateKey, {});
    assert.equal(refused.status, 409);
    assert.equal(Refusal.parse(refused.json).error.message, `job ${await idOf('mem_hog-3')} is failed: only pending or running jobs can be cancelled`, 'a refusal names the job by its id');
  });

  it('an identifier of digits is the job whose identifier it is, as opsdeck job 1 shows; an unknown one is a 404 naming it', async () => {
    const { store } = rest.runtime.ctx;
    const first = await store.getJob(1);
    assert.ok(first, 'a job with id 1 made above');
    await claimed(store, ['1'], 'failed');
    const named = await idOf('1');
    assert.notEqual(named, 1);
    const shown = calls['jobs.get'].output.parse((await rest.call('GET', '/v1/executions/1', rest.readKey)).json).job;
    assert.equal(shown.id, named, 'GET finds the job whose identifier is 1');
    const retried = calls['jobs.retry'].output.parse((await rest.call('POST', '/v1/executions/1/retry', rest.operateKey, {})).json);
    assert.equal(retried.id, named, 'and the retry acts on that same job');
    assert.equal((await store.getJob(1))?.status, first.status, 'the job with id 1 was left alone');

    for (const [method, path] of [['POST', '/v1/executions/nosuch-9/retry'], ['GET', '/v1/executions/nosuch-9/waiting'], ['POST', '/v1/executions/0/cancel']] as const) {
      const res = await rest.call(method, path, method === 'GET' ? rest.readKey : rest.operateKey, method === 'GET' ? undefined : {});
      assert.equal(res.status, 404, path);
      assert.equal(Refusal.parse(res.json).error.message, `no job ${JSON.stringify(path.split('/')[3])}`, path);
    }
  });

  it('the OpenAPI document says each takes the identifier too', async () => {
    const doc = z.object({ paths: z.record(z.string(), z.record(z.string(), z.object({ parameters: z.array(z.object({ name: z.string(), description: z.string().optional() })).optional() }))) });
    const res = await rest.call('GET', '/v1/openapi.json', rest.readKey);
    const paths = doc.parse(res.json).paths;
    for (const [path, method] of [['/v1/executions/{id}/retry', 'post'], ['/v1/executions/{id}/waiting', 'get'], ['/v1/executions/{id}/fail', 'post']] as const) {
      assert.match(paths[path]?.[method]?.parameters?.find((p) => p.name === 'id')?.description ?? '', /or its identifier/, path);
    }
  });
});
