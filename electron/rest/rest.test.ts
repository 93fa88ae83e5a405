import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
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
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }) });

/** REST API v1 over real HTTP on 127.0.0.1, against a real store of each dialect. */
function restSuite(dialect: string, location: () => Promise<{ db: string; cleanup(): Promise<void> }>): void {
  describe(`REST API v1 on ${dialect}`, () => {
    let runtime: Runtime;
    let server: RunningRestServer;
    let cleanup: () => Promise<void>;
    let now = 1_000_000;
    let readKey = '';
    let operateKey = '';

    before(async () => {
      const where = await location();
      cleanup = where.cleanup;
      runtime = await createRuntime({ words: CONSOLE_WORDS, db: where.db, registryPath, execute: false, env: { ...process.env, OPSDECK_REGISTRY: '' } });
      const throttle = new FailureThrottle({ freeFailures: 3, now: () => now });
      server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, throttle }) });
      const make = async (name: string, scope: 'read' | 'operate') => {
        const res = await dispatch('apiKeys.create', { name, scope }, runtime.ctx);
        return calls['apiKeys.create'].output.parse(res.ok ? res.result : null).secret;
      };
      readKey = await make('monitor', 'read');
      operateKey = await make('ci-bot', 'operate');
    });

    after(async () => {
      await server?.close();
      await runtime?.close();
      await cleanup?.();
    });

    async function call(method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await rawRequest({ port: server.port, path, method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) });
      const json: unknown = res.headers['content-type']?.startsWith('application/json') ? JSON.parse(res.body) : null;
      return { status: res.status, headers: res.headers, json };
    }

    function errorCode(json: unknown): string {
      return ErrorBody.parse(json).error.code;
    }

    it('healthz answers without a key and says nothing; readyz says the store answers', async () => {
      const live = await call('GET', '/healthz');
      assert.deepEqual([live.status, live.json], [200, { status: 'ok' }]);
      const ready = await call('GET', '/readyz');
      assert.deepEqual([ready.status, ready.json], [200, { status: 'ready' }]);
    });

    it('a request target that is no URL at all is a 400, and the server goes on answering', async () => {
      const res = await call('GET', '//[/', { key: readKey });
      assert.deepEqual([res.status, errorCode(res.json)], [400, 'bad_request']);
      assert.equal((await call('GET', '/healthz')).status, 200);
    });

    it('unknown paths are JSON 404s, a known path with the wrong method a 405 with Allow', async () => {
      for (const path of ['/v1/nothing', '/v1', '/metrics', '/']) {
        const res = await call('GET', path, { key: readKey });
        assert.equal(res.status, 404, path);
        assert.equal(errorCode(res.json), 'not_found');
      }
      const wrong = await call('DELETE', '/v1/executions', { key: operateKey });
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.allow, 'GET, POST');
    });

    it('401 without a key or with a bad one; a read key lists, and gets 403 on any change', async () => {
      const none = await call('GET', '/v1/executions');
      assert.equal(none.status, 401);
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="opsdeck"');
      assert.equal((await call('GET', '/v1/executions', { key: 'odk_000000000000_' + 'x'.repeat(43) })).status, 401);

      const enq = await call('POST', '/v1/executions', { key: operateKey, body: { service: 'flaky_sync', identifier: 'rest-failed-1' } });
      assert.equal(enq.status, 201, JSON.stringify(enq.json));
      const id = z.object({ id: z.number() }).parse(enq.json).id;
      await runtime.ctx.store.claim({ workerId: 'rest-test', limit: 10, leaseMs: 60_000, queues: ['default'] });
      await runtime.ctx.store.failRunningJob(id, 'rest-test', { user: 'test', host: 'h' }, 'made a dead letter');

      const failed = await call('GET', '/v1/executions?status=failed&limit=10', { key: readKey });
      assert.equal(failed.status, 200);
      const page = calls['jobs.list'].output.parse(failed.json);
      assert.ok(page.jobs.some((j) => j.id === id && j.status === 'failed'));
      const one = await call('GET', `/v1/executions/${id}`, { key: readKey });
      assert.equal(calls['jobs.get'].output.parse(one.json).attempts.length, 1, 'an execution comes with its attempts');
      assert.equal((await call('GET', '/v1/executions/rest-failed-1', { key: readKey })).status, 200, 'or by its identifier');
      assert.equal((await call('GET', '/v1/executions/999999', { key: readKey })).status, 404);
      const waiting = await call('GET', `/v1/executions/${id}/waiting`, { key: readKey });
      assert.deepEqual(calls['jobs.waiting'].output.parse(waiting.json).reasons, [], 'a dead letter does not wait');
      const pending = z.object({ id: z.number() }).parse((await call('POST', '/v1/executions', { key: operateKey, body: { service: 'flaky_sync', run_at: '2099-01-01T00:00:00Z' } })).json).id;
      const reasons = calls['jobs.waiting'].output.parse((await call('GET', `/v1/executions/${pending}/waiting`, { key: readKey })).json).reasons;
      assert.match(reasons[0] ?? '', /^scheduled for 2099-01-01T00:00:00\.000Z \(in \d+d \d+h\)$/, 'in UTC, with how far off it is');

      const stop = await call('POST', '/v1/control/emergency-stop', { key: readKey, body: { reason: 'no' } });
      assert.equal(stop.status, 403);
      assert.match(ErrorBody.parse(stop.json).error.message, /may only read/);
      assert.equal((await call('GET', '/v1/control', { key: readKey })).status, 200);
    });

    it('GET /v1/failures groups the recent failed attempts; a window past 24h or not a duration is a 422 naming since', async () => {
      const recent = await call('GET', '/v1/failures?since=15m', { key: readKey });
      assert.equal(recent.status, 200, JSON.stringify(recent.json));
      const failures = calls['failures.recent'].output.parse(recent.json);
      const byHand = failures.groups.find((g) => g.service_name === 'flaky_sync' && g.error_class === 'operator');
      assert.deepEqual([byHand?.failures, byHand?.dead_lettered], [1, 1], JSON.stringify(failures));
      const back = Date.now() - Date.parse(failures.since);
      assert.ok(back >= 15 * 60_000 && back <= 16 * 60_000, 'the window starts at the minute 15m ago');
      const other = calls['failures.recent'].output.parse((await call('GET', '/v1/failures?service=billing_webhook', { key: readKey })).json);
      assert.deepEqual([other.groups, other.total], [[], 0]);
      for (const since of ['25h', 'soon']) {
        const refused = await call('GET', `/v1/failures?since=${since}`, { key: readKey });
        assert.deepEqual([refused.status, errorCode(refused.json)], [422, 'invalid_input'], since);
        assert.match(JSON.stringify(refused.json), /since/);
      }
    });

    it('GET /v1/performance: each type\'s completed and dead-lettered jobs, retries, success rate and percentiles, from the rollups, up to the history kept; a key is needed', async () => {
      const { store } = runtime.ctx;
      const perf = { queue: 'perf', service_name: 'perf_fn', execution_type: 'serverless' as const, max_attempts: 2 };
      await store.enqueue([perf, perf, perf, { ...perf, max_attempts: 1 }]);
      const claimed = await store.claim({ workerId: 'rest-perf', limit: 10, leaseMs: 60_000, queues: ['perf'] });
      assert.equal(claimed.length, 4);
      const error = { message: 'upstream answered 503', error_class: 'http_503', fingerprint: 'perf503' };
      await store.settle(
        claimed.map((c, i) => {
          const base = { jobId: c.id, attemptId: c.attempt_id, workerId: 'rest-perf' };
          if (i < 2) return { ...base, kind: 'completed' as const };
          if (c.max_attempts === 1) return { ...base, kind: 'failed' as const, error, outcome: 'failed' as const };
          return { ...base, kind: 'retry' as const, error, outcome: 'failed' as const, run_at: '2099-01-01T00:00:00.000Z' };
        }),
      );

      assert.equal((await call('GET', '/v1/performance')).status, 401, 'no key, no figures');
      const res = await call('GET', '/v1/performance?since=15m', { key: readKey });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const byType = calls['metrics.byType'].output.parse(res.json);
      const serverless = byType.types.find((t) => t.execution_type === 'serverless');
      assert.deepEqual([serverless?.completed, serverless?.failed, serverless?.retried, serverless?.success_rate], [2, 1, 1, 0.6667]);
      assert.ok(serverless?.p50_ms !== null && serverless?.p99_ms !== null && (serverless?.p99_ms ?? 0) >= (serverless?.p50_ms ?? 0), 'percentiles of the completions');
      const back = Date.parse(byType.until) - Date.parse(byType.since);
      assert.ok(back >= 15 * 60_000 && back <= 16 * 60_000, 'the window starts at the minute 15m ago');
      const one = calls['metrics.byType'].output.parse((await call('GET', '/v1/performance?type=serverless', { key: readKey })).json);
      assert.deepEqual([one.types.map((t) => t.execution_type), one.total.completed, one.total.failed], [['serverless'], 2, 1], 'one type: the total is its own');
      assert.equal(byType.services, undefined, 'by type: no per-service rows unless asked');
      const byService = calls['metrics.byType'].output.parse((await call('GET', '/v1/performance?since=15m&by=service', { key: readKey })).json);
      assert.deepEqual(
        byService.services?.filter((s) => s.execution_type === 'serverless').map((s) => [s.service_name, s.completed, s.failed]),
        [[perf.service_name, 2, 1]],
        'by=service: each service beside the types',
      );
      assert.deepEqual(byService.types, byType.types, 'the same types, read from the minutes');
      const longer = await call('GET', '/v1/performance?since=7d&by=service', { key: readKey });
      assert.equal(longer.status, 422);
      assert.match(JSON.stringify(longer.json), /every service at once reads at most the last 24h; name one service/);
      const oneWeek = await call('GET', `/v1/performance?since=7d&service=${encodeURIComponent(perf.service_name)}`, { key: readKey });
      assert.equal(oneWeek.status, 200, 'one service over a week is read');
      const service = calls['metrics.byType'].output.parse((await call('GET', `/v1/performance?service=${encodeURIComponent(perf.service_name)}`, { key: readKey })).json);
      assert.deepEqual([service.services?.map((s) => s.service_name), service.total.completed, service.total.failed], [[perf.service_name], 2, 1], 'one service');
      const other = calls['metrics.byType'].output.parse((await call('GET', '/v1/performance?service=nobody', { key: readKey })).json);
      assert.deepEqual([other.types, other.services, other.total.completed], [[], [], 0], 'a service with nothing finished');
      const week = calls['metrics.byType'].output.parse((await call('GET', '/v1/performance?since=7d', { key: readKey })).json);
      assert.equal(week.types.find((t) => t.execution_type === 'serverless')?.completed, 2, 'a week, within the history kept');
      for (const query of ['since=31d', 'since=soon', 'type=ftp', 'service=', 'by=queue']) {
        const refused = await call('GET', `/v1/performance?${query}`, { key: readKey });
        assert.deepEqual([refused.status, errorCode(refused.json)], [422, 'invalid_input'], query);
        assert.match(JSON.stringify(refused.json), new RegExp(query.split('=')[0] ?? ''));
      }
    });

    it('an operate key engages the emergency stop, and the audit log names the key', async () => {
      const stop = await call('POST', '/v1/control/emergency-stop', { key: operateKey, body: { reason: 'incident 42' } });
      assert.equal(stop.status, 200, JSON.stringify(stop.json));
      const stopped = calls['control.emergencyStop'].output.parse(stop.json);
      assert.equal(stopped.emergency_stop.engaged, true);
      assert.ok(stopped.stopped, 'it says what it asked to stop and held');
      assert.equal(stopped.stopped.running, 0);
      const audit = calls['audit.list'].output.parse((await call('GET', '/v1/audit?action=control.emergency_stop', { key: readKey })).json);
      assert.match(audit.entries[0]?.actor ?? '', /^api-key:ci-bot@/);
      assert.equal((await call('POST', '/v1/control/resume', { key: operateKey })).status, 200);
    });

    it('refuses text no store can keep and payloads nested past reason with a 422 naming where, never a 500', async () => {
      const nul = await call('GET', '/v1/executions?search=%00ab', { key: readKey });
      assert.deepEqual([nul.status, errorCode(nul.json)], [422, 'invalid_input']);
      assert.match(ErrorBody.parse(nul.json).error.message, /NUL/);
      const groups = await call('GET', '/v1/dlq/groups?search=%00ab', { key: readKey });
      assert.equal(groups.status, 422);
      const queue = await call('POST', '/v1/control/queues/q%00q/pause', { key: operateKey, body: {} });
      assert.equal(queue.status, 422);
      const surrogate = await call('POST', '/v1/executions', { key: operateKey, body: '{"service":"healthy_noop","identifier":"\\ud800"}' });
      assert.deepEqual([surrogate.status, ErrorBody.parse(surrogate.json).error.issues?.[0]?.path], [422, 'identifier']);
      let deep: unknown = 'leaf';
      for (let i = 0; i < 3000; i++) deep = [deep];
      const nested = await call('POST', '/v1/executions', { key: operateKey, body: { service: 'healthy_noop', payload: { deep } } });
      assert.equal(nested.status, 422);
      assert.match(ErrorBody.parse(nested.json).error.message, /nests deeper than 64 levels/);
    });

    it('validates: 400 for broken JSON, 415 for other bodies, 422 naming what is wrong, 409 for a state conflict', async () => {
      const broken = await call('POST', '/v1/executions', { key: operateKey, body: '{"service":' });
      assert.deepEqual([broken.status, errorCode(broken.json)], [400, 'invalid_json']);
      const form = await rawRequest({ port: server.port, path: '/v1/control/resume', method: 'POST', body: 'a=b', headers: { authorization: `Bearer ${operateKey}`, 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(form.status, 415);
      const bad = await call('POST', '/v1/executions', { key: operateKey, body: { service: 'flaky_sync', priority: 'high' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(ErrorBody.parse(bad.json).error.issues?.map((i) => i.path), ['priority']);
      for (const [payload, kind] of [[42, 'a number'], [['a'], 'an array'], ['text', 'a string']] as const) {
        const refused = await call('POST', '/v1/executions', { key: operateKey, body: { service: 'flaky_sync', payload } });
        const words = `must be a JSON object, such as {"date": "2026-12-04"}, not ${kind}`;
        assert.deepEqual([refused.status, ErrorBody.parse(refused.json).error.issues], [422, [{ path: 'payload', message: words }]]);
      }
      const query = await call('GET', '/v1/executions?status=exploded&limit=abc', { key: readKey });
      assert.equal(query.status, 422);
      assert.deepEqual(ErrorBody.parse(query.json).error.issues?.map((i) => i.path).sort(), ['query.limit', 'query.status.0']);
      for (const [path, limit] of [['/v1/executions', '-5'], ['/v1/executions', '0'], ['/v1/dlq', '501'], ['/v1/audit', '2.5'], ['/v1/workflow-runs', 'ten'], ['/v1/alerts/history', '99999999999']]) {
        const res = await call('GET', `${path}?limit=${limit}`, { key: readKey });
        assert.equal(res.status, 422, `${path} limit=${limit}`);
        assert.equal(ErrorBody.parse(res.json).error.message, 'invalid query: query.limit: a whole number from 1 to 500', `${path} limit=${limit}`);
      }
      const fires = await call('GET', '/v1/schedules/any/fires?limit=-1', { key: readKey });
      assert.equal(ErrorBody.parse(fires.json).error.message, 'invalid query: query.limit: a whole number from 1 to 500');
      const unknown = await call('GET', '/v1/executions?colour=red', { key: readKey });
      assert.deepEqual([unknown.status, ErrorBody.parse(unknown.json).error.issues?.[0]?.path], [422, 'query.colour']);
      const pending = await call('POST', '/v1/executions', { key: operateKey, body: { service: 'healthy_noop' } });
      const id = z.object({ id: z.number() }).parse(pending.json).id;
      const retry = await call('POST', `/v1/executions/${id}/retry`, { key: operateKey });
      assert.deepEqual([retry.status, errorCode(retry.json)], [409, 'conflict']);
      assert.equal((await call('POST', '/v1/executions/abc/cancel', { key: operateKey })).status, 404);
      const pathAndBody = await call('POST', `/v1/executions/${id}/cancel`, { key: operateKey, body: { id: 1 } });
      assert.equal(pathAndBody.status, 422);
      assert.equal((await call('POST', `/v1/executions/${id}/cancel`, { key: operateKey, body: { reason: 'not needed' } })).status, 200);
    });

    it('honours Idempotency-Key: the same key finds the same execution; reused for another request, 422', async () => {
      const headers = { 'idempotency-key': `order-${dialect}-7` };
      const first = await call('POST', '/v1/executions', { key: operateKey, headers, body: { service: 'healthy_noop', payload: { b: 2, a: 1 } } });
      assert.equal(first.status, 201);
      assert.equal(first.headers['idempotent-replayed'], 'false');
      const again = await call('POST', '/v1/executions', { key: operateKey, headers, body: { service: 'healthy_noop', payload: { a: 1, b: 2 } } });
      assert.equal(again.status, 200);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(z.object({ id: z.number() }).parse(again.json).id, z.object({ id: z.number() }).parse(first.json).id);
      const other = await call('POST', '/v1/executions', { key: operateKey, headers, body: { service: 'healthy_noop', payload: { a: 2 } } });
      assert.equal(other.status, 422);
      assert.match(ErrorBody.parse(other.json).error.message, /already made execution \d+ .* with other parameters/);
      const badKey = await call('POST', '/v1/executions', { key: operateKey, headers: { 'idempotency-key': 'x'.repeat(201) }, body: { service: 'healthy_noop' } });
      assert.equal(badKey.status, 422);
    });

    it('lists running executions with running_longer_than, and fails a stuck one', async () => {
      const enq = await call('POST', '/v1/executions', { key: operateKey, body: { service: 'healthy_noop', queue: `long-${dialect}` } });
      const id = z.object({ id: z.number() }).parse(enq.json).id;
      await runtime.ctx.store.claim({ workerId: 'gone-worker', limit: 1, leaseMs: 60_000, queues: [`long-${dialect}`] });
      const long = calls['jobs.list'].output.parse((await call('GET', '/v1/executions?running_longer_than=0s', { key: readKey })).json);
      assert.ok(long.jobs.some((j) => j.id === id));
      assert.ok(long.jobs.every((j) => j.status === 'running'));
      assert.deepEqual(calls['jobs.list'].output.parse((await call('GET', '/v1/executions?running_longer_than=1h', { key: readKey })).json).jobs, []);
      const failed = await call('POST', `/v1/executions/${id}/fail`, { key: operateKey, body: { reason: 'worker gone' } });
      assert.equal(failed.status, 200, JSON.stringify(failed.json));
      assert.equal(calls['jobs.fail'].output.parse(failed.json).status, 'failed');

      const byClass = calls['jobs.list'].output.parse((await call('GET', `/v1/executions?class=operator&queue=long-${dialect}`, { key: readKey })).json);
      assert.deepEqual(byClass.jobs.map((j) => j.id), [id], 'the job failed by an operator, by its failure class');
      assert.deepEqual(calls['jobs.list'].output.parse((await call('GET', `/v1/executions?class=resource_limit&queue=long-${dialect}`, { key: readKey })).json).jobs, []);
      const hostile = await call('GET', `/v1/executions?class=${encodeURIComponent("x' OR 1=1 --")}`, { key: readKey });
      assert.equal(hostile.status, 422);
      assert.match(ErrorBody.parse(hostile.json).error.message, /class/);
    });

    it('sets and forgets a rate limit over HTTP, for every worker', async () => {
      const halved = await call('POST', '/v1/rate-limits/local_api/tune', { key: operateKey, body: { scale: 0.5, reason: 'upstream 429s' } });
      assert.equal(halved.status, 200, JSON.stringify(halved.json));
      const view = calls['rateLimits.tune'].output.parse(halved.json);
      assert.deepEqual([view.limit, view.per_ms, view.max_concurrent], [10, 1000, 2]);
      assert.deepEqual(view.registry, { limit: 20, per_ms: 1000, max_concurrent: 4 });
      assert.equal(view.tuning?.reason, 'upstream 429s');
      const listed = calls['rateLimits.list'].output.parse((await call('GET', '/v1/rate-limits', { key: readKey })).json);
      assert.equal(listed.services.find((s) => s.service_name === 'local_api')?.limit, 10);
      assert.equal((await call('POST', '/v1/rate-limits/local_api/tune', { key: readKey, body: { defaults: true } })).status, 403, 'a read key changes nothing');
      const both = await call('POST', '/v1/rate-limits/local_api/tune', { key: operateKey, body: { scale: 0.5, limit: 3 } });
      assert.equal(both.status, 422);
      assert.match(ErrorBody.parse(both.json).error.message, /either a scale or new numbers/);
      const huge = await call('POST', '/v1/rate-limits/local_api/tune', { key: operateKey, body: { limit: 1e9 } });
      assert.equal(huge.status, 422);
      assert.deepEqual(ErrorBody.parse(huge.json).error.issues?.map((i) => i.path), ['limit']);
      assert.equal((await call('POST', '/v1/rate-limits/no_such_service/tune', { key: operateKey, body: { max_concurrent: 1 } })).status, 404);
      const back = calls['rateLimits.tune'].output.parse((await call('POST', '/v1/rate-limits/local_api/tune', { key: operateKey, body: { defaults: true } })).json);
      assert.deepEqual([back.limit, back.max_concurrent, back.tuning], [20, 4, null]);
    });

    it('tunes and resets breakers over HTTP', async () => {
      const tuned = await call('POST', '/v1/breakers/flaky_sync/tune', { key: operateKey, body: { failure_threshold: 9, reason: 'noisy' } });
      assert.equal(tuned.status, 200, JSON.stringify(tuned.json));
      assert.equal(calls['breakers.tune'].output.parse(tuned.json).failure_threshold, 9);
      assert.equal((await call('POST', '/v1/breakers/flaky_sync/open', { key: operateKey })).status, 200);
      const reset = calls['breakers.setMode'].output.parse((await call('POST', '/v1/breakers/flaky_sync/reset', { key: operateKey })).json);
      assert.deepEqual([reset.mode, reset.state], ['auto', 'closed']);
      assert.equal((await call('POST', '/v1/breakers/no_such_service/open', { key: operateKey })).status, 404);
      const forever = await call('POST', '/v1/breakers/flaky_sync/tune', { key: operateKey, body: { recovery_timeout: 1e308, window: 99_999_999_999, reason: 'typo' } });
      assert.equal(forever.status, 422);
      assert.deepEqual(ErrorBody.parse(forever.json).error.issues?.map((i) => i.path).sort(), ['recovery_timeout', 'window']);
      assert.match(ErrorBody.parse(forever.json).error.message, /at most 86400 seconds \(a day\); to hold a breaker open longer, force it open/);
    });

    it("resets every breaker in one call (the runbook's reset_all_circuit_breakers), auditing each it changed and no other", async () => {
      assert.equal((await call('POST', '/v1/breakers/flaky_sync/open', { key: operateKey, body: { reason: 'incident' } })).status, 200);
      assert.equal((await call('POST', '/v1/breakers/reset-all', { key: readKey })).status, 403);
      const all = await call('POST', '/v1/breakers/reset-all', { key: operateKey, body: { reason: 'upstream recovered' } });
      assert.equal(all.status, 200, JSON.stringify(all.json));
      const { breakers: views, changed } = calls['breakers.setModeAll'].output.parse(all.json);
      assert.ok(views.length > 1);
      assert.ok(views.every((v) => v.mode === 'auto' && v.state === 'closed'));
      assert.deepEqual(changed, ['flaky_sync'], 'the others were closed in auto with nothing to clear');
      const resets = calls['audit.list'].output.parse((await call('GET', '/v1/audit?action=breaker.reset', { key: readKey })).json).entries;
      assert.deepEqual(resets.filter((e) => e.details?.reason === 'upstream recovered').map((e) => e.target), ['flaky_sync'], 'one audit row per breaker reset');
      const again = calls['breakers.setModeAll'].output.parse((await call('POST', '/v1/breakers/reset-all', { key: operateKey, body: { reason: 'once more' } })).json);
      assert.deepEqual(again.changed, [], 'nothing left to clear: nothing changed');
      const after = calls['audit.list'].output.parse((await call('GET', '/v1/audit?action=breaker.reset', { key: readKey })).json).entries;
      assert.equal(after.filter((e) => e.details?.reason === 'once more').length, 0, 'and nothing audited');
    });

    it('forces every breaker open or closed, or back to auto, as breaker open|close|auto --all does: only those not already so change, each audited', async () => {
      assert.equal((await call('POST', '/v1/breakers/open-all', { key: readKey, body: { reason: 'incident' } })).status, 403);
      const wrong = await call('POST', '/v1/breakers/open-all', { key: operateKey, body: { reason: 'incident', mode: 'auto' } });
      assert.equal(wrong.status, 422, JSON.stringify(wrong.json));
      assert.match(ErrorBody.parse(wrong.json).error.message, /mode/, 'the refusal names the field it does not take');
      assert.equal((await call('POST', '/v1/breakers/flaky_sync/open', { key: operateKey, body: { reason: 'first' } })).status, 200);

      const opened = await call('POST', '/v1/breakers/open-all', { key: operateKey, body: { reason: 'vendor outage' } });
      assert.equal(opened.status, 200, JSON.stringify(opened.json));
      const { breakers: views, changed } = calls['breakers.setModeAll'].output.parse(opened.json);
      assert.ok(views.length > 1 && views.every((v) => v.mode === 'force_open'));
      assert.deepEqual(changed, views.map((v) => v.service_name).filter((name) => name !== 'flaky_sync'), 'the one open already is left as it was');
      assert.equal(views.find((v) => v.service_name === 'flaky_sync')?.mode_reason, 'first');
      const audited = async (action: string, reason: string) =>
        calls['audit.list'].output.parse((await call('GET', `/v1/audit?action=${action}`, { key: readKey })).json).entries.filter((e) => e.details?.reason === reason).map((e) => e.target).sort();
      assert.deepEqual(await audited('breaker.force_open', 'vendor outage'), [...changed].sort(), 'one audit row per breaker changed');

      const closed = calls['breakers.setModeAll'].output.parse((await call('POST', '/v1/breakers/close-all', { key: operateKey, body: {} })).json);
      assert.deepEqual([...closed.changed].sort(), views.map((v) => v.service_name).sort());
      const auto = calls['breakers.setModeAll'].output.parse((await call('POST', '/v1/breakers/auto-all', { key: operateKey, body: { reason: 'over' } })).json);
      assert.equal(auto.changed.length, views.length);
      const again = calls['breakers.setModeAll'].output.parse((await call('POST', '/v1/breakers/auto-all', { key: operateKey, body: { reason: 'once more' } })).json);
      assert.deepEqual(again.changed, [], 'every breaker in auto already: nothing changed');
      assert.deepEqual(await audited('breaker.auto', 'once more'), [], 'and nothing audited');
    });

    it('answers one health check by name, as the runbook curls /v1/health/scheduler; an unknown one is a 404', async () => {
      const scheduler = await call('GET', '/v1/health/scheduler', { key: readKey });
      assert.equal(scheduler.status, 200, JSON.stringify(scheduler.json));
      assert.deepEqual(calls['health.check'].output.parse(scheduler.json).checks.map((c) => c.name), ['scheduler']);
      const runners = calls['health.check'].output.parse((await call('GET', '/v1/health/runner', { key: readKey })).json);
      assert.ok(runners.checks.length > 1 && runners.checks.every((c) => c.name.startsWith('runner:')));
      const unknown = await call('GET', '/v1/health/schedular', { key: readKey });
      assert.equal(unknown.status, 404);
      assert.match(ErrorBody.parse(unknown.json).error.message, /no health check named schedular \(known: .*scheduler/);
      const models = await call('GET', '/v1/health/models', { key: readKey });
      assert.equal(models.status, 404);
      assert.match(ErrorBody.parse(models.json).error.message, /GET \/v1\/health\/runner probes each kind's .*, and GET \/v1\/runners\/connectivity\/SERVICE tests one of them/, 'REST names its endpoints, not commands');
    });

    it('serves an OpenAPI 3.1 document that validates and covers every route', async () => {
      const res = await call('GET', '/v1/openapi.json');
      assert.equal(res.status, 200);
      const validator = new Validator();
      const result = await validator.validate(z.record(z.string(), z.unknown()).parse(res.json));
      assert.deepEqual(result, { valid: true });
      assert.equal(validator.version, '3.1');
      const doc = z.object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())), components: z.object({ schemas: z.record(z.string(), z.unknown()) }) }).parse(res.json);
      for (const path of ['/v1/health', '/v1/executions', '/v1/executions/{id}', '/v1/executions/{id}/retry', '/v1/dlq/groups', '/v1/performance', '/v1/breakers/{service}/tune', '/v1/control/safe-mode', '/v1/workers', '/v1/runners', '/v1/audit', '/healthz', '/readyz']) {
        assert.ok(doc.paths[path], path);
      }
      for (const [, target] of JSON.stringify(res.json).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
        assert.ok(target && doc.components.schemas[target], `reference to ${target} resolves`);
      }
      const errorBody = z.object({ properties: z.object({ error: z.object({ properties: z.record(z.string(), z.unknown()) }) }) }).parse(doc.components.schemas.Error);
      assert.deepEqual(Object.keys(errorBody.properties.error.properties), ['code', 'message', 'issues', 'action'], 'an error body says what to do when a store outage needs it');
    });

    it('slows down an address that keeps failing: 429 with Retry-After, even for a good key, until it passes', async () => {
      const bad = `Bearer odk_000000000000_${'y'.repeat(43)}`;
      for (let i = 0; i < 3; i++) assert.equal((await rawRequest({ port: server.port, path: '/v1/control', headers: { authorization: bad } })).status, 401);
      assert.equal((await rawRequest({ port: server.port, path: '/v1/control', headers: { authorization: bad } })).status, 401, 'the failure past the free ones locks');
      const locked = await call('GET', '/v1/control', { key: readKey });
      assert.equal(locked.status, 429);
      assert.equal(locked.headers['retry-after'], '1');
      now += 1500;
      assert.equal((await call('GET', '/v1/control', { key: readKey })).status, 200, 'after the wait a good key passes and clears the count');
      assert.equal((await call('GET', '/healthz')).status, 200, 'liveness is never throttled');
    });
  });
}

restSuite('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-'));
  return { db: join(dir, 'rest.db'), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

restSuite('postgres', async () => {
  const database: TestDatabase = await createTestDatabase({ migrated: true });
  return { db: database.url, cleanup: () => database.drop() };
});
