import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { newBreakerRecord } from '../../shared/breakerRecord.ts';
import { calls } from '../../shared/contract.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { ok } from './testing/responses.ts';
import { createRunners } from '../runners/registry.ts';

let server: Server;
let base = '';
let t: TestContext | null = null;

before(async () => {
  // The upstream's root answers, as a probe's GET of the base URL sees it; its jobs' calls are what fail.
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

for (const dialect of ['sqlite', 'postgres'] as const) describe(`runners list and open breakers (${dialect})`, () => {
  it('a runner whose probe answers while a service of its kind has an open breaker warns as its health check does', async () => {
    t = await createTestContext(`services:\n  - name: pay\n    execution_type: http\n    runner_config: { base_url: "${base}", path: /charge }\n`, dialect);
    // The real runners, whose probes reach the upstream over HTTP (the test context holds none).
    t.ctx.runners = createRunners();
    const { ctx } = t;
    const http = async () => calls['runners.list'].output.parse(ok(await dispatch('runners.list', {}, ctx))).runners.find((r) => r.kind === 'http');
    assert.equal((await http())?.warning, undefined, 'closed: nothing to warn of');
    const now = new Date();
    const opened = { ...newBreakerRecord('pay', now), state: 'open' as const, opened_at: now.toISOString(), left_closed_at: now.toISOString(), last_error: 'HTTP 503 from POST /charge', version: 1 };
    assert.equal(await t.store.saveBreaker(opened, { from: 'closed', to: 'open', reason: '2 of 2 calls failed' }), true);
    const row = await http();
    assert.equal(row?.healthy, true, `the runner itself works: ${JSON.stringify(row)}`);
    assert.equal(row?.warning, true);
    assert.match(row?.detail ?? '', /answering; but the calls of pay \(open: HTTP 503 from POST \/charge\) fail: its circuit breaker is open \(the Breakers page\)$/);
    const check = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: 'runner:http' }, t.ctx))).checks[0];
    assert.equal(check?.detail, row?.detail, 'the same words as health-check runner:http');
  });
});
