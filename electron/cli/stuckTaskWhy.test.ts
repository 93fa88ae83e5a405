import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from '../rest/testing/restFixture.ts';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = [
  'services:',
  '  - name: step',
  '    execution_type: noop',
  'workflows:',
  '  - name: etl',
  '    tasks:',
  '      - { name: extract, service: step }',
  '      - { name: transform, service: step, depends_on: [extract] }',
  '      - { name: load, service: step, depends_on: [transform] }',
  '',
].join('\n');

/**
 * The operators' walk: a stuck run's `workflow show` left the WHY column empty for the task holding it (its
 * job running on a worker that died) and for the tasks behind it.
 */
describe("workflow show of a run held by a task whose worker is lost: each task's why", () => {
  let dir: string;
  let common: string[];
  let rest: RestFixture;
  let run: number;
  let extractJob: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-stuck-task-why-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, REGISTRY);
    const db = join(dir, 'o.db');
    common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', ...common]));
    run = z.object({ run_id: z.number() }).parse(JSON.parse(ok(await opsdeck(['workflow', 'run', 'etl', '--json', ...common])))).run_id;
    // A worker took extract's job, then died: its lease still runs, and its heartbeats stopped a minute ago.
    const store = await openStore(db);
    try {
      await store.registerWorker({ id: 'gone', host: 'a', pid: 1, version: 'test', concurrency: 1, queues: null });
      const [claimed] = await store.claim({ workerId: 'gone', limit: 1, leaseMs: 600_000 });
      assert.ok(claimed);
      extractJob = claimed.id;
    } finally {
      await store.close();
    }
    const file = new Database(db);
    try {
      file.prepare('UPDATE tb_worker SET last_heartbeat_at = ?').run(new Date(Date.now() - 60_000).toISOString());
    } finally {
      file.close();
    }
    rest = await startRestFixture(registry, { ...process.env, OPSDECK_REGISTRY: '' }, db);
  });

  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the CLI says the running task\'s worker is lost and what becomes of its job, as opsdeck job ID does, and what each task behind it waits for', async () => {
    const shown = ok(await opsdeck(['workflow', 'show', String(run), ...common]));
    assert.match(
      shown,
      new RegExp(`^extract +${extractJob} +running .* worker gone is lost \\(last heartbeat .+, a pid 1\\): nobody runs this job; stuck once its lease runs out, by .+: then opsdeck jobs --stuck lists it and opsdeck fail ${extractJob} --reason TEXT fails it, or a live worker's watchdog takes it back`, 'm'),
      shown,
    );
    assert.match(shown, /^transform +\d+ +waiting .* waits for upstream task extract \(running\)$/m, shown);
    assert.match(shown, /^load +\d+ +waiting .* waits for upstream task transform \(waiting\)$/m, shown);
    const job = ok(await opsdeck(['job', String(extractJob), ...common]));
    assert.match(job, new RegExp(`^worker: +worker gone is lost .*opsdeck fail ${extractJob} --reason TEXT fails it`, 'm'), 'the same words as the job');
  });

  it('REST answers the running task with the same, in its words', async () => {
    const answer = await rest.call('GET', `/v1/workflow-runs/${run}`, rest.readKey);
    assert.equal(answer.status, 200, answer.text);
    const detail = calls['workflows.show'].output.parse(answer.json);
    const [extract] = detail.tasks;
    assert.equal(extract?.status, 'running');
    assert.match(extract.waiting.join('; '), new RegExp(`^worker gone is lost .*: nobody runs this job; stuck once its lease runs out, by .+: then GET /v1/executions\\?stuck=true lists it and POST /v1/executions/${extractJob}/fail fails it, `));
  });
});
