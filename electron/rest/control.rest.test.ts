import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { ControlState } from '../../shared/domain.ts';
import { dispatch } from '../api/dispatch.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { createRestHandler } from './handler.ts';
import { rawRequest } from './testing/http.ts';
import { startRestServer, type RunningRestServer } from './server.ts';
import { FailureThrottle } from './throttle.ts';

const Held = z.object({ held_by_control: z.array(z.string()).optional() });
const Status = z.object({ control: ControlState, counts: z.record(z.string(), z.number()) });

/**
 * The control plane over real HTTP, on a host that runs jobs (as `opsdeck serve` or the desktop does): work
 * made pending under the emergency stop and safe mode says what holds it, and a safe-mode drain asked for
 * in one request is kept by the store and ended by the host's engine once it runs out, with the caller
 * long gone.
 */
describe('REST control: what holds pending work, and the safe-mode drain', () => {
  let dir: string;
  let runtime: Runtime;
  let server: RunningRestServer;
  let key = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-control-'));
    const registryPath = join(dir, 'registry.yaml');
    await writeFile(
      registryPath,
      [
        'services:',
        '  - name: flaky',
        '    execution_type: shell',
        '    runner_config: { command: ["/bin/false"] }',
        '    security_policy: { allowed_commands: ["/bin/false"] }',
        '    retry_config: { max_retries: 0 }',
        '  - name: long',
        '    execution_type: shell',
        '    runner_config: { command: ["/bin/sleep", "60"] }',
        '    security_policy: { allowed_commands: ["/bin/sleep"] }',
        'workflows:',
        '  - name: etl2',
        '    tasks:',
        '      - { name: transform, service: flaky }',
        '',
      ].join('\n'),
    );
    runtime = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'opsdeck.db'), registryPath, execute: true, env: { ...process.env, OPSDECK_REGISTRY: '' } });
    server = await startRestServer({ host: '127.0.0.1', port: 0, handler: createRestHandler({ context: () => runtime.ctx, throttle: new FailureThrottle({ freeFailures: 50 }) }) });
    const made = await dispatch('apiKeys.create', { name: 'ops-bot', scope: 'operate' }, runtime.ctx);
    key = calls['apiKeys.create'].output.parse(made.ok ? made.result : null).secret;
  });

  after(async () => {
    await server?.close();
    await runtime?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await rawRequest({ port: server.port, path, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: JSON.parse(res.body) };
  }

  async function until<T>(what: string, read: () => Promise<T | null>, ms = 15_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const found = await read();
      if (found !== null) return found;
      if (Date.now() > end) throw new Error(`${what} did not happen within ${ms / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const status = async () => Status.parse((await call('GET', '/v1/status')).json);

  it('a workflow retry and an enqueue under the emergency stop and safe mode answer what holds them', async () => {
    const run = z.object({ run_id: z.number() }).parse((await call('POST', '/v1/workflows/etl2/runs', {})).json);
    await until('the task to fail', async () => ((await status()).counts.failed === 1 ? true : null));
    assert.equal((await call('POST', '/v1/control/emergency-stop', { reason: 'drill' })).status, 200);
    assert.equal((await call('POST', '/v1/control/safe-mode', { enabled: true, reason: 'deploy' })).status, 200);
    const held = [
      'the emergency stop is engaged by api-key:ops-bot@127.0.0.1: drill (POST /v1/control/resume releases it)',
      'safe mode is on by api-key:ops-bot@127.0.0.1: deploy (POST /v1/control/safe-mode with {"enabled": false})',
    ];
    const retried = await call('POST', `/v1/workflow-runs/${run.run_id}/retry`, {});
    assert.equal(retried.status, 200);
    assert.deepEqual(Held.parse(retried.json).held_by_control, held);
    const enqueued = await call('POST', '/v1/executions', { service: 'long' });
    assert.equal(enqueued.status, 201);
    assert.deepEqual(Held.parse(enqueued.json).held_by_control, held);
    assert.equal((await call('POST', '/v1/control/resume', {})).status, 200);
    assert.equal((await call('POST', '/v1/control/safe-mode', { enabled: false })).status, 200);
    assert.equal((await call('POST', '/v1/control/queues/default/pause', { reason: 'migration' })).status, 200);
    const paused = await call('POST', '/v1/executions', { service: 'long' });
    assert.deepEqual(Held.parse(paused.json).held_by_control, ['queue default is paused by api-key:ops-bot@127.0.0.1: migration (POST /v1/control/queues/default/unpause)']);
    // Cancelled before it runs: the drain below counts one long job running.
    const pausedId = z.object({ id: z.number() }).parse(paused.json).id;
    assert.equal((await call('POST', `/v1/executions/${pausedId}/cancel`, {})).status, 200);
    assert.equal((await call('POST', '/v1/control/queues/default/unpause', {})).status, 200);
  });

  it('a drain asked in one request: its deadline is kept, its progress read, and the engine stops what still runs when it passes', async () => {
    await until('a long job to run', async () => ((await status()).counts.running === 1 ? true : null));
    const refused = await call('POST', '/v1/control/safe-mode', { enabled: false, drain: 5 });
    assert.equal(refused.status, 422);
    assert.match(JSON.stringify(refused.json), /a drain goes with enabled: true/);

    const asked = await call('POST', '/v1/control/safe-mode', { enabled: true, reason: 'release', drain: 2 });
    assert.equal(asked.status, 200);
    const drain = calls['control.safeMode'].output.parse(asked.json).drain;
    assert.ok(drain);
    assert.deepEqual([drain.by, drain.seconds], ['api-key:ops-bot@127.0.0.1', 2]);
    const progress = await status();
    assert.deepEqual([progress.control.drain?.until, progress.counts.running], [drain.until, 1], 'GET /v1/status: until when, and what still runs');

    // Nobody waits on it: the host's engine sees the deadline pass and engages the stop.
    const stopped = await until('the emergency stop', async () => {
      const control = ControlState.parse((await call('GET', '/v1/control')).json);
      return control.emergency_stop.engaged ? control : null;
    });
    assert.ok(Date.now() >= Date.parse(drain.until));
    assert.equal(stopped.drain, undefined, 'the drain is over');
    assert.equal(stopped.emergency_stop.by, 'api-key:ops-bot@127.0.0.1', 'engaged in the name of who asked for the drain');
    assert.equal(stopped.emergency_stop.reason, 'safe-mode drain: 1 job(s) still running after 2s');
    const audit = z.object({ entries: z.array(z.object({ action: z.string(), actor: z.string(), details: z.unknown() })) }).parse((await call('GET', '/v1/audit?limit=5')).json);
    assert.deepEqual(audit.entries.slice(0, 2).map((e) => [e.action, e.actor]), [
      ['control.emergency_stop', 'api-key:ops-bot@127.0.0.1'],
      ['control.safe_mode', 'api-key:ops-bot@127.0.0.1'],
    ]);
    await until('the long job back to pending', async () => ((await status()).counts.running === 0 ? true : null));
  });
});
