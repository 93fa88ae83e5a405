import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { rawRequest } from './testing/http.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const Refusal = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }) });

/** Runbook 001's test task, as it posts it: another system's endpoint and fields. */
const TEST_TASK = { title: 'Health check', task_type: 'evaluation', payload: { eval_type: 'metric', metric_value: 100 } };

/** The runbooks' requests sent as written to `opsdeck api` over real HTTP: each refusal names what opsdeck takes instead. */
describe("REST API v1: a runbook's request as written is refused in opsdeck's words", () => {
  let rest: RestFixture;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-runbook-requests-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - { name: evaluation, execution_type: noop }\n');
    rest = await startRestFixture(registry, {});
  });
  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const refusal = (json: unknown) => Refusal.parse(json).error;

  it("an endpoint of another system's API names the v1 route it means, with or without a key", async () => {
    const tasks = await rest.call('POST', '/api/tasks', rest.operateKey, TEST_TASK);
    assert.equal(tasks.status, 404);
    assert.equal(refusal(tasks.json).message, "no endpoint POST /api/tasks: opsdeck's is POST /v1/executions (GET /v1/openapi.json lists every endpoint)");
    const named: Array<[string, string, string]> = [
      ['GET', '/api/tasks/long-1', 'GET /v1/executions/long-1'],
      ['GET', '/api/v1/jobs?status=failed', 'GET /v1/executions'],
      ['POST', '/api/dead-letter-queue/retry', 'POST /v1/dlq/retry'],
      ['GET', '/v1/tasks', 'GET /v1/executions'],
      ['POST', '/v1/pipelines/nightly/runs', 'POST /v1/workflows/nightly/runs'],
      ['GET', '/api/health', 'GET /v1/health'],
      // The path exists under v1 for another method: that one is named, unless it only reads.
      ['GET', '/api/dead-letter-queue/retry', 'POST /v1/dlq/retry'],
      // A DELETE is the POST that does it.
      ['DELETE', '/api/jobs/7', 'POST /v1/executions/7/cancel'],
      ['DELETE', '/api/pipeline-runs/12', 'POST /v1/workflow-runs/12/cancel'],
      ['DELETE', '/api/schedules/nightly', 'POST /v1/schedules/nightly/remove'],
      ['DELETE', '/api/workers/w-1', 'POST /v1/workers/w-1/forget'],
    ];
    for (const [method, path, meant] of named) {
      const res = await rawRequest({ port: rest.port, path, method });
      assert.equal(res.status, 404, path);
      assert.equal(refusal(JSON.parse(res.body)).message, `no endpoint ${method} ${path.split('?')[0]}: opsdeck's is ${meant} (GET /v1/openapi.json lists every endpoint)`, path);
    }
    const nothing = await rawRequest({ port: rest.port, path: '/api/frobnicate' });
    assert.equal(refusal(JSON.parse(nothing.body)).message, 'no endpoint GET /api/frobnicate: this host serves the REST API under /v1 (GET /v1/openapi.json lists it), /healthz, /readyz and /metrics');
    // A read is never named for a write, nor a resource of an object's own keys (constructor, __proto__).
    const unmeant: Array<[string, string]> = [['PUT', '/api/jobs/7'], ['DELETE', '/api/breakers/payments'], ['GET', '/api/constructor'], ['GET', '/api/__proto__/x'], ['GET', '/api/toString']];
    for (const [method, path] of unmeant) {
      const res = await rawRequest({ port: rest.port, path, method });
      assert.equal(refusal(JSON.parse(res.body)).message, `no endpoint ${method} ${path}: this host serves the REST API under /v1 (GET /v1/openapi.json lists it), /healthz, /readyz and /metrics`, `${method} ${path}`);
    }
    const v1 = await rest.call('GET', '/v1/frobnicate', rest.readKey);
    assert.equal(refusal(v1.json).message, 'no endpoint GET /v1/frobnicate: GET /v1/openapi.json lists them');
  });

  it("its body sent to POST /v1/executions: each of the runbook's fields named with opsdeck's, the missing service said in words", async () => {
    const res = await rest.call('POST', '/v1/executions', rest.operateKey, TEST_TASK);
    assert.equal(res.status, 422);
    const error = refusal(res.json);
    assert.deepEqual(error.issues, [
      { path: 'title', message: 'not a field; opsdeck calls it identifier (unique: sent again, the same identifier finds the job it made; leave it out for a new one each time)' },
      { path: 'task_type', message: 'not a field; opsdeck calls it service' },
      { path: 'service', message: 'required' },
    ]);
    assert.doesNotMatch(res.text, /Invalid input|expected \w+, received/, "zod's own words stay out");
    const typed = refusal((await rest.call('POST', '/v1/executions', rest.operateKey, { service: 5, priority: 'high' })).json);
    assert.deepEqual(typed.issues, [
      { path: 'service', message: 'must be a string, not a number' },
      { path: 'priority', message: 'must be a number, not a string' },
    ]);
    assert.equal(typed.message, 'invalid input for jobs.enqueue: service: must be a string, not a number (and 1 more)');
    const fraction = refusal((await rest.call('POST', '/v1/executions', rest.operateKey, { service: 'evaluation', priority: 1.5 })).json);
    assert.deepEqual(fraction.issues, [{ path: 'priority', message: 'must be a whole number, not 1.5' }], 'a number that is no whole one is said as itself');
    const made = await rest.call('POST', '/v1/executions', rest.operateKey, { service: 'evaluation', identifier: 'health-check', payload: TEST_TASK.payload });
    assert.equal(made.status, 201, 'written in opsdeck\'s words, it is taken');
  });

  it('a selector field sent at the top is one problem, saying where it goes, not also a missing selector', async () => {
    const all = await rest.call('POST', '/v1/dlq/retry', rest.operateKey, { all: true });
    assert.equal(all.status, 422);
    const error = refusal(all.json);
    assert.deepEqual(error.issues, [{ path: 'all', message: 'not a field here: it goes in selector ({"selector": {"all": …}})' }]);
    assert.equal(error.message, 'invalid input for dlq.retry: all: not a field here: it goes in selector ({"selector": {"all": …}})');
    const none = refusal((await rest.call('POST', '/v1/dlq/retry', rest.operateKey, {})).json);
    assert.deepEqual(none.issues, [{ path: 'selector', message: 'required' }], 'with nothing to place, the selector left out is said');
  });
});
