import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { rawRequest } from './testing/http.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const REGISTRY = ['services:', '  - { name: api_ok, execution_type: noop, queue: fast }', '  - { name: executor, execution_type: noop }', ''].join('\n');
const Refusal = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }) });

/** The runbooks' words sent to the REST API over real HTTP: each understood, or refused with opsdeck's word for it. */
describe("REST API v1: the runbooks' words", () => {
  let rest: RestFixture;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-words-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    rest = await startRestFixture(registry, {});
    const enqueued = await dispatch('jobs.enqueue', { service: 'executor' }, rest.runtime.ctx);
    assert.ok(enqueued.ok);
  });
  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const issueOf = (json: unknown, path: string) => Refusal.parse(json).error.issues?.find((i) => i.path === path)?.message;

  it('a queue or service nothing knows is a 422 with the one meant; a known queue with no such jobs is an empty 200', async () => {
    const queue = await rest.call('GET', '/v1/executions?queue=defualt', rest.readKey);
    assert.equal(queue.status, 422);
    assert.equal(issueOf(queue.json, 'query.queue'), 'no queue named defualt (did you mean default?): no service, schedule or job uses it; known: default, fast');
    const service = await rest.call('GET', '/v1/executions?service=api_okk', rest.readKey);
    assert.equal(service.status, 422);
    assert.match(issueOf(service.json, 'query.service') ?? '', /^no service named api_okk \(did you mean api_ok\?\): neither the registry nor any job, breaker or worker names it/);
    assert.match(issueOf((await rest.call('GET', '/v1/executions?service=EXECUTOR', rest.readKey)).json, 'query.service') ?? '', /did you mean executor\?/);
    const empty = await rest.call('GET', '/v1/executions?queue=fast', rest.readKey);
    assert.deepEqual([empty.status, empty.json], [200, { jobs: [], next_cursor: null }]);
    assert.equal((await rest.call('GET', '/v1/executions?queue=default', rest.readKey)).status, 200);
  });

  it("other systems' words are named as opsdeck's: in_progress, task_type, a selector's fields at the top", async () => {
    const status = await rest.call('GET', '/v1/executions?status=in_progress', rest.readKey);
    assert.equal(status.status, 422);
    assert.match(issueOf(status.json, 'query.status.0') ?? '', /^"in_progress" is no status \(opsdeck calls it running\)/);
    const enqueue = await rest.call('POST', '/v1/executions', rest.operateKey, { task_type: 'executor', payload: {} });
    assert.equal(enqueue.status, 422);
    assert.equal(issueOf(enqueue.json, 'task_type'), 'not a field; opsdeck calls it service');
    const ids = await rest.call('POST', '/v1/dlq/retry', rest.operateKey, { job_ids: [1] });
    assert.equal(issueOf(ids.json, 'job_ids'), 'not a field here: it goes in selector ({"selector": {"job_ids": …}})');
    const search = await rest.call('POST', '/v1/dlq/retry', rest.operateKey, { search: 'timeout' });
    assert.equal(issueOf(search.json, 'search'), 'not a field here: it goes in selector ({"selector": {"search": …}})');
  });

  it("breaker tune takes the runbook's reset_timeout as recovery_timeout, as opsdeck breaker tune --reset-timeout does; both at once is refused", async () => {
    const tune = await rest.call('POST', '/v1/breakers/executor/tune', rest.operateKey, { reset_timeout: 60, reason: 'runbook 001' });
    assert.equal(tune.status, 200, tune.text);
    const tuned = calls['breakers.tune'].output.parse(tune.json);
    assert.deepEqual([tuned.recovery_timeout_s, tuned.tuning?.settings], [60, { recovery_timeout: 60 }]);
    const [audited] = (await rest.runtime.ctx.store.listAudit({ action: 'breaker.tune' }, { limit: 1 })).items;
    assert.deepEqual(audited?.details?.to, { recovery_timeout: 60 }, "audited under opsdeck's name");
    const both = await rest.call('POST', '/v1/breakers/executor/tune', rest.operateKey, { reset_timeout: 60, recovery_timeout: 30 });
    assert.equal(both.status, 422);
    assert.equal(issueOf(both.json, 'reset_timeout'), "recovery_timeout by the runbooks' name: give one of them, not both");
    const word = await rest.call('POST', '/v1/breakers/executor/tune', rest.operateKey, { reset_timeout: 'a minute' });
    assert.equal(word.status, 422);
    assert.equal(issueOf(word.json, 'reset_timeout'), 'must be a number, not a string', 'refused at the field sent');
    const beside = await rest.call('POST', '/v1/breakers/executor/tune', rest.operateKey, { reset_timeout: 60, window_size: 30 });
    assert.equal(beside.status, 422);
    assert.match(issueOf(beside.json, 'window_size') ?? '', /^not a field \(known: .*\breset_timeout\b/, 'the fields listed are those it takes, reset_timeout among them');
  });

  it("the console's breakers.tune takes reset_timeout as REST does, rather than call it no field", async () => {
    const ctx = rest.runtime.ctx;
    const tuned = await dispatch('breakers.tune', { service: 'api_ok', reset_timeout: 45 }, ctx);
    assert.ok(tuned.ok, JSON.stringify(tuned));
    assert.deepEqual(calls['breakers.tune'].output.parse(tuned.result).tuning?.settings, { recovery_timeout: 45 });
    const both = await dispatch('breakers.tune', { service: 'api_ok', reset_timeout: 45, recovery_timeout: 30 }, ctx);
    assert.deepEqual(both.ok ? [] : both.error.issues, [{ path: 'reset_timeout', message: "recovery_timeout by the runbooks' name: give one of them, not both" }]);
  });

  it('GET /health answers as /healthz, with no key', async () => {
    const res = await rawRequest({ port: rest.port, path: '/health', method: 'GET', headers: {} });
    assert.deepEqual([res.status, JSON.parse(res.body)], [200, { status: 'ok' }]);
  });

  it("the runbook's JavaScript sent to /v1/registry/validate is a problem at its line, and no warning reaches the server's process", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const text = ['services:', '  - { name: etl, execution_type: noop }', 'workflows:', '  - tasks: [', "    { name: 'A', dependsOn: ['B'] },", "    { name: 'B', dependsOn: ['A'] }", '  ]', ''].join('\n');
      const res = await rest.call('POST', '/v1/registry/validate', rest.readKey, { text });
      assert.equal(res.status, 200);
      const problems = z.object({ problems: z.array(z.object({ line: z.number().nullable(), path: z.string(), message: z.string() })) }).parse(res.json).problems;
      assert.ok(problems.some((p) => p.line === 5 && p.path === 'workflows[0]' && p.message.startsWith('a key here is a { … } mapping')), JSON.stringify(problems));
      assert.ok(!problems.some((p) => p.path.includes('{')), JSON.stringify(problems));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
