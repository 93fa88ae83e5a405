import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import type { Store } from '../store/store.ts';
import { err, job } from '../store/contract/fixtures.ts';
import { rawRequest } from './testing/http.ts';
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

  it("digits that are one job's id and another's identifier are refused on every endpoint, naming both; id: or identifier: says which", async () => {
    const { store } = rest.runtime.ctx;
    // A client's first job, running, then a second enqueued with an Idempotency-Key that is the first's id.
    await claimed(store, ['runs-first'], 'running');
    const first = await idOf('runs-first');
    assert.ok(first !== undefined);
    const keyed = await rawRequest({
      port: rest.port,
      path: '/v1/executions',
      method: 'POST',
      headers: { authorization: `Bearer ${rest.operateKey}`, 'content-type': 'application/json', 'idempotency-key': String(first) },
      body: JSON.stringify({ service: 'long' }),
    });
    assert.equal(keyed.status, 201, keyed.body);
    const second = calls['jobs.enqueue'].output.parse(JSON.parse(keyed.body)).id;
    assert.notEqual(second, first);

    const both = `"${first}" names two jobs: job ${first} by its id and job ${second} by its identifier; say which: id:${first} for job ${first}, identifier:${first} for job ${second}`;
    const asked: Array<[string, string, unknown]> = [
      ['GET', '', undefined],
      ['GET', '/waiting', undefined],
      ['POST', '/cancel', { reason: 'stop the second' }],
      ['POST', '/fail', { reason: 'gone', force: true }],
      ['POST', '/retry', {}],
    ];
    for (const [method, action, body] of asked) {
      const res = await rest.call(method, `/v1/executions/${first}${action}`, method === 'GET' ? rest.readKey : rest.operateKey, body);
      assert.equal(res.status, 409, `${method} …${action}: ${res.text}`);
      assert.equal(Refusal.parse(res.json).error.message, both, `${method} …${action}`);
    }
    assert.deepEqual([(await store.getJob(first))?.status, (await store.getJob(second))?.status], ['running', 'pending'], 'neither job was touched');
    assert.deepEqual((await store.listAudit({ action: 'job.cancel' }, { limit: 10 })).items.filter((a) => [String(first), String(second)].includes(a.target ?? '')), []);

    const byId = await rest.call('GET', `/v1/executions/id:${first}`, rest.readKey);
    assert.equal(calls['jobs.get'].output.parse(byId.json).job.id, first, 'id: names the job by its id');
    const cancelled = await rest.call('POST', `/v1/executions/identifier:${first}/cancel`, rest.operateKey, { reason: 'the second, said so' });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.deepEqual([calls['jobs.cancel'].output.parse(cancelled.json).id, (await store.getJob(second))?.status], [second, 'cancelled'], 'identifier: names the job by its identifier');
    assert.equal((await store.getJob(first))?.status, 'running', 'the first still runs');
  });

  it('digits that name one job, by its id, its identifier or both, are that job', async () => {
    const { store } = rest.runtime.ctx;
    await claimed(store, ['900001'], 'failed');
    const named = await idOf('900001');
    const retried = await rest.call('POST', '/v1/executions/900001/retry', rest.operateKey, {});
    assert.equal(retried.status, 200, retried.text);
    assert.equal(calls['jobs.retry'].output.parse(retried.json).id, named, 'an identifier of digits no job has as its id');
    assert.ok(named !== undefined && (await store.getJob(String(named))) === null, 'and no job has its id as identifier');
    const byItsId = await rest.call('GET', `/v1/executions/${named}`, rest.readKey);
    assert.equal(calls['jobs.get'].output.parse(byItsId.json).job.identifier, '900001', 'its id, which no job has as its identifier');

    // A job whose identifier is its own id: the next id, as the store gives them in order.
    const next = (named ?? 0) + 1;
    const [self] = await store.enqueue([job('long', { identifier: String(next) })]);
    assert.equal(self?.id, next);
    const shown = await rest.call('GET', `/v1/executions/${next}`, rest.readKey);
    assert.equal(shown.status, 200, shown.text);
    assert.equal(calls['jobs.get'].output.parse(shown.json).job.id, next, 'named either way, it is the one job');
    for (const [method, path] of [['POST', '/v1/executions/nosuch-9/retry'], ['GET', '/v1/executions/nosuch-9/waiting'], ['POST', '/v1/executions/0/cancel']] as const) {
      const res = await rest.call(method, path, method === 'GET' ? rest.readKey : rest.operateKey, method === 'GET' ? undefined : {});
      assert.equal(res.status, 404, path);
      assert.equal(Refusal.parse(res.json).error.message, `no job ${JSON.stringify(path.split('/')[3])}`, path);
    }
  });

  it('the OpenAPI document says each takes the identifier too, and how to say which', async () => {
    const doc = z.object({ paths: z.record(z.string(), z.record(z.string(), z.object({ parameters: z.array(z.object({ name: z.string(), description: z.string().optional() })).optional() }))) });
    const res = await rest.call('GET', '/v1/openapi.json', rest.readKey);
    const paths = doc.parse(res.json).paths;
    for (const [path, method] of [['/v1/executions/{id}/retry', 'post'], ['/v1/executions/{id}/waiting', 'get'], ['/v1/executions/{id}/fail', 'post']] as const) {
      assert.match(paths[path]?.[method]?.parameters?.find((p) => p.name === 'id')?.description ?? '', /or its identifier.*id:7 or identifier:7 says which/, path);
    }
  });
});
