import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { rawRequest } from './testing/http.ts';
import { createRestHandler } from './handler.ts';
import { startRestServer, type RunningRestServer } from './server.ts';
import { FailureThrottle } from './throttle.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

const registryPath = resolve(import.meta.dirname, '..', '..', 'examples', 'registry.yaml');
const Run = z.object({ run: z.object({ id: z.number(), status: z.string(), stuck: z.boolean() }), tasks: z.array(z.object({ name: z.string(), status: z.string(), job_id: z.number() })) });

/**
 * The workflow endpoints over real HTTP on each store: start a run of the example registry's
 * nightly_report, fail its first task (as a worker would settle it), see what depends on it blocked,
 * retry the run from the failed task, and see it finish.
 */
function workflowSuite(dialect: string, location: () => Promise<{ db: string; cleanup(): Promise<void> }>): void {
  describe(`REST workflows on ${dialect}`, () => {
    let runtime: Runtime;
    let server: RunningRestServer;
    let cleanup: () => Promise<void>;
    let operateKey = '';
    let readKey = '';

    before(async () => {
      const where = await location();
      cleanup = where.cleanup;
      runtime = await createRuntime({ words: CONSOLE_WORDS, db: where.db, registryPath, execute: false, env: { ...process.env, OPSDECK_REGISTRY: '' } });
      server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, throttle: new FailureThrottle({ freeFailures: 50 }) }) });
      const make = async (name: string, scope: 'read' | 'operate') => {
        const res = await dispatch('apiKeys.create', { name, scope }, runtime.ctx);
        return calls['apiKeys.create'].output.parse(res.ok ? res.result : null).secret;
      };
      operateKey = await make('flow-bot', 'operate');
      readKey = await make('flow-monitor', 'read');
    });

    after(async () => {
      await server?.close();
      await runtime?.close();
      await cleanup?.();
    });

    async function call(method: string, path: string, key: string, body?: unknown) {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await rawRequest({ port: server.port, path, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const json: unknown = res.headers['content-type']?.startsWith('application/json') ? JSON.parse(res.body) : null;
      return { status: res.status, json };
    }

    /** Claims what the run has ready and settles it as the given outcome, as a worker would. */
    async function settleReady(kind: 'completed' | 'failed'): Promise<string[]> {
      const store = runtime.ctx.store;
      const claimed = await store.claim({ workerId: 'rest-test', limit: 10, leaseMs: 60_000 });
      for (const c of claimed) {
        const landed =
          kind === 'completed'
            ? await store.settle([{ jobId: c.id, attemptId: c.attempt_id, workerId: 'rest-test', kind, output_tail: 'report for nightly extract\n' }])
            : await store.settle([{ jobId: c.id, attemptId: c.attempt_id, workerId: 'rest-test', kind, outcome: 'failed', error: { message: 'exit 1', error_class: 'Exit', fingerprint: 'exit-1' } }]);
        assert.deepEqual(landed, [c.id]);
      }
      return claimed.map((c) => c.identifier.split('/').at(-1) ?? '');
    }

    it('runs, blocks, retries from the failed task and finishes; read keys read, only operate keys act', async () => {
      const listed = await call('GET', '/v1/workflows', readKey);
      assert.equal(listed.status, 200);
      assert.deepEqual(z.object({ workflows: z.array(z.object({ name: z.string() })) }).parse(listed.json).workflows.map((w) => w.name), ['nightly_report']);
      assert.equal((await call('POST', '/v1/workflows/nightly_report/runs', readKey, {})).status, 403);
      assert.equal((await call('POST', '/v1/workflows/no_such/runs', operateKey, {})).status, 404);
      const typo = await call('POST', '/v1/workflows/nightly_reprot/runs', operateKey, {});
      assert.equal(typo.status, 404);
      assert.match(JSON.stringify(typo.json), /workflow nightly_reprot is not in the registry \(did you mean nightly_report\? known: nightly_report\)/);
      assert.equal((await call('POST', '/v1/workflows/nightly_report/runs', operateKey, { payload: { workflow: 1 } })).status, 422);
      const listPayload = await call('POST', '/v1/workflows/nightly_report/runs', operateKey, { payload: ['friday'] });
      assert.equal(listPayload.status, 422);
      assert.match(JSON.stringify(listPayload.json), /payload: must be a JSON object, such as \{\\"date\\": \\"2026-12-04\\"\}, not an array/);

      const started = await call('POST', '/v1/workflows/nightly_report/runs', operateKey, { identifier: 'rest-run-1', payload: { day: 'friday' } });
      assert.equal(started.status, 201);
      const again = await call('POST', '/v1/workflows/nightly_report/runs', operateKey, { identifier: 'rest-run-1' });
      assert.equal(again.status, 200, 'the same identifier starts nothing new');
      const runId = z.object({ run_id: z.number() }).parse(started.json).run_id;

      assert.deepEqual(await settleReady('failed'), ['extract']);
      const blocked = Run.parse((await call('GET', `/v1/workflow-runs/${runId}`, readKey)).json);
      assert.equal(blocked.run.status, 'failed');
      assert.deepEqual(blocked.tasks.map((t) => [t.name, t.status]), [['extract', 'failed'], ['summarise', 'blocked'], ['publish', 'blocked']]);
      const blockedJobs = await call('GET', '/v1/executions?status=blocked', readKey);
      assert.equal(z.object({ jobs: z.array(z.unknown()) }).parse(blockedJobs.json).jobs.length, 2, 'blocked is a status the executions filter knows');

      assert.equal((await call('POST', `/v1/workflow-runs/${runId}/retry`, readKey, {})).status, 403);
      const retried = await call('POST', '/v1/workflow-runs/rest-run-1/retry', operateKey, {});
      assert.equal(retried.status, 200);
      assert.deepEqual(z.object({ retried: z.array(z.number()) }).parse(retried.json).retried, [blocked.tasks[0]?.job_id]);
      assert.deepEqual(await settleReady('completed'), ['extract']);
      assert.deepEqual(await settleReady('completed'), ['summarise']);
      assert.deepEqual(await settleReady('completed'), ['publish']);
      const done = Run.parse((await call('GET', '/v1/workflow-runs/rest-run-1', readKey)).json);
      assert.equal(done.run.status, 'completed');
      const runs = z.object({ runs: z.array(z.object({ identifier: z.string(), status: z.string() })) }).parse((await call('GET', '/v1/workflow-runs?status=completed', readKey)).json);
      assert.deepEqual(runs.runs.map((r) => r.identifier), ['rest-run-1']);
      assert.deepEqual((await call('GET', '/v1/workflow-runs/stuck', readKey)).json, { runs: [], counts: [] });
      // The runbooks' workflow metrics: the run started here failed once, was retried and completed.
      const stats = calls['workflows.stats'].output.parse((await call('GET', '/v1/workflow-runs/stats?since=1h&workflow=nightly_report', readKey)).json);
      assert.deepEqual(stats.workflows.map((w) => [w.workflow, w.runs, w.completed, w.failed, w.cancelled, w.running]), [['nightly_report', 1, 1, 0, 0, 0]]);
      assert.ok(stats.workflows[0]?.p50_ms !== null, 'a completed run has its duration');
      assert.equal(Date.parse(stats.until) - Date.parse(stats.since), 3_600_000);
      const day = calls['workflows.stats'].output.parse((await call('GET', '/v1/workflow-runs/stats', readKey)).json);
      assert.equal(Date.parse(day.until) - Date.parse(day.since), 86_400_000, 'the last 24 hours by default');
      for (const query of ['since=31d', 'since=soon', 'workflow=']) {
        const refused = await call('GET', `/v1/workflow-runs/stats?${query}`, readKey);
        assert.equal(refused.status, 422, query);
        assert.match(JSON.stringify(refused.json), new RegExp(query.split('=')[0] ?? ''));
      }
      assert.equal((await call('GET', '/v1/workflow-runs/999999', readKey)).status, 404);
      const nothing = await call('POST', '/v1/workflow-runs/rest-run-1/retry', operateKey, {});
      assert.deepEqual([nothing.status, nothing.json], [
        409,
        { error: { code: 'conflict', message: `workflow run ${runId} (rest-run-1) of nightly_report is completed: it has no failed or cancelled task to retry` } },
      ]);
      const audit = await runtime.ctx.store.listAudit({ action: 'workflow.retry' }, { limit: 5 });
      assert.equal(audit.items.length, 1, 'the refused retry is not audited');
      assert.equal(audit.items[0]?.actor, 'api-key:flow-bot@127.0.0.1');
    });

    it('cancelling a run cancels what has not started', async () => {
      const started = await call('POST', '/v1/workflows/nightly_report/runs', operateKey, { identifier: 'rest-run-2' });
      const runId = z.object({ run_id: z.number() }).parse(started.json).run_id;
      const cancelled = await call('POST', `/v1/workflow-runs/${runId}/cancel`, operateKey, { reason: 'wrong day' });
      assert.deepEqual([cancelled.status, cancelled.json], [200, { cancelled: 3, stopping: 0, changed: true, note: null }]);
      assert.equal(Run.parse((await call('GET', `/v1/workflow-runs/${runId}`, readKey)).json).run.status, 'cancelled');
      // Cancelled already is what was asked: a 200 saying so, not a conflict.
      const again = await call('POST', `/v1/workflow-runs/${runId}/cancel`, operateKey, {});
      assert.equal(again.status, 200);
      assert.match(z.object({ changed: z.literal(false), note: z.string() }).parse(again.json).note, /^workflow run \d+ \(rest-run-2\) of nightly_report was already cancelled at \S+; nothing changed$/);
    });
  });
}

workflowSuite('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-flow-'));
  return { db: join(dir, 'rest.db'), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

workflowSuite('postgres', async () => {
  const database: TestDatabase = await createTestDatabase({ migrated: true });
  return { db: database.url, cleanup: () => database.drop() };
});
