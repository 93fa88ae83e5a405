import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { err, job } from '../store/contract/fixtures.ts';
import { startRestFixture, type RestFixture } from './testing/restFixture.ts';

const WITH_WORKFLOWS = [
  'services:',
  '  - { name: extract, execution_type: noop }',
  'workflows:',
  '  - name: nightly_report',
  '    tasks:',
  '      - { name: extract, service: extract }',
  '',
].join('\n');

const Page = calls['jobs.list'].output.extend({ note: z.string().optional() });
const NOTE = "these are jobs, each one execution of a service; a workflow's executions are its runs: GET /v1/workflow-runs?status=failed&limit=10 lists the failed ones, GET /v1/workflow-runs/{run} shows one with its tasks";

/** Runbook 004's "list recent failed executions" over real HTTP: the failed jobs, and where its workflow executions are. */
describe("REST API v1: runbook 004's GET /v1/executions?status=failed&limit=10 says where a workflow's executions are", () => {
  let dir: string;
  const fixtures: RestFixture[] = [];

  async function host(registry: string): Promise<RestFixture> {
    const file = join(dir, `registry-${fixtures.length}.yaml`);
    await writeFile(file, registry);
    const rest = await startRestFixture(file, {});
    fixtures.push(rest);
    const { store } = rest.runtime.ctx;
    await store.enqueue([job('extract', { max_attempts: 1 }), job('extract', { max_attempts: 1 })]);
    const claimed = await store.claim({ workerId: 'gone', limit: 2, leaseMs: 60_000 });
    await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'gone', kind: 'failed' as const, outcome: 'failed' as const, error: err('upstream down') })));
    return rest;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-executions-note-'));
  });
  after(async () => {
    for (const rest of fixtures) await rest.close();
    await rm(dir, { recursive: true, force: true });
  });

  const page = async (rest: RestFixture, query: string) => {
    const res = await rest.call('GET', `/v1/executions?${query}`, rest.readKey);
    assert.equal(res.status, 200, res.text);
    return Page.parse(res.json);
  };

  it('with workflows here, the failed jobs come with a note naming the workflow runs; a request that narrows them does not', async () => {
    const rest = await host(WITH_WORKFLOWS);
    const asked = await page(rest, 'status=failed&limit=10');
    assert.equal(asked.jobs.length, 2, 'the failed jobs, as asked');
    assert.equal(asked.note, NOTE);
    assert.match((await page(rest, 'status=failed')).note ?? '', /limit=100 lists the failed ones/, 'the limit the page was read with');
    for (const query of ['status=failed&service=extract', 'status=failed,cancelled', 'status=failed&created_after=1h', 'status=running', '']) {
      assert.equal((await page(rest, query)).note, undefined, query);
    }
    const first = await page(rest, 'status=failed&limit=1');
    assert.ok(first.next_cursor);
    assert.equal((await page(rest, `status=failed&limit=1&after=${encodeURIComponent(first.next_cursor)}`)).note, undefined, 'the first page says it once');
  });

  it('without workflows, the failed jobs are what was meant: no note', async () => {
    const rest = await host('services:\n  - { name: extract, execution_type: noop }\n');
    const asked = await page(rest, 'status=failed&limit=10');
    assert.deepEqual([asked.jobs.length, asked.note], [2, undefined]);
  });

  it('the OpenAPI document describes the note', async () => {
    const [rest] = fixtures;
    assert.ok(rest);
    const doc = await rest.call('GET', '/v1/openapi.json', rest.readKey);
    assert.match(doc.text, /a workflow's executions are its runs \(GET \/v1\/workflow-runs\?status=failed\)/);
  });
});
