import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WorkerInfo } from '../../shared/domain.ts';
import type { Store } from '../store/store.ts';
import { createTestStore } from '../store/testing/testStore.ts';
import { Engine } from './engine.ts';
import { enqueueOne, jobOf, loadRegistry, tempDir, waitFor, waitForStatus } from './testing/harness.ts';

/**
 * A worker declines a service only for a variable its jobs read, missing as its runner means it: a
 * `*_env_var` left in runner_config that the auth_type or provider does not use is no reason, and an empty
 * bearer token or AWS key is as missing as an unset one, while an empty variable a shell job is passed is
 * passed as it is.
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`what a worker declines is what its jobs read (${kind})`, () => {
    let dir: { dir: string; cleanup(): Promise<void> };
    let store: Store;
    let engine: Engine;
    let upstream: http.Server;
    let requests = 0;
    let close: () => Promise<void>;

    before(async () => {
      dir = await tempDir();
      ({ store, cleanup: close } = await createTestStore(kind));
      upstream = http.createServer((_req, res) => {
        requests++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      const once = { retry_config: { max_retries: 0 } };
      const { holder } = await loadRegistry(dir.dir, [
        { name: 'open', execution_type: 'http', runner_config: { base_url: base, auth_type: 'none', auth_config: { token_env_var: 'LEFT_TOKEN' } }, ...once },
        {
          name: 'basic',
          execution_type: 'http',
          runner_config: { base_url: base, auth_type: 'basic', auth_config: { username_env_var: 'BASIC_USER', password_env_var: 'BASIC_PASS', token_env_var: 'LEFT_TOKEN' } },
          ...once,
        },
        { name: 'bearer', execution_type: 'http', runner_config: { base_url: base, auth_type: 'bearer', auth_config: { token_env_var: 'EMPTY_TOKEN', username_env_var: 'LEFT_USER' } }, ...once },
        { name: 'fn', execution_type: 'serverless', runner_config: { provider: 'http_function', url: `${base}/fn`, access_key_env_var: 'LEFT_ACCESS', secret_key_env_var: 'LEFT_SECRET' }, ...once },
        { name: 'lambda', execution_type: 'serverless', runner_config: { function_name: 'resize', endpoint: base, access_key_env_var: 'EMPTY_ACCESS', secret_key_env_var: 'EMPTY_SECRET' }, ...once },
        {
          name: 'passes',
          execution_type: 'shell',
          runner_config: { command: ['/bin/echo', 'passed'], env: ['EMPTY_PASSED'] },
          security_policy: { allowed_commands: ['/bin/echo'] },
          ...once,
        },
      ]);
      const env = { PATH: process.env.PATH, BASIC_USER: 'u', BASIC_PASS: '', EMPTY_TOKEN: '', EMPTY_ACCESS: '', EMPTY_SECRET: '', EMPTY_PASSED: '' };
      engine = new Engine({ store, registry: holder, env, pollMs: 20, concurrency: 4, schedules: false, maintenance: false });
      await engine.start();
    });

    after(async () => {
      await engine.stop({ graceMs: 0 });
      await close();
      await new Promise((resolve) => upstream.close(resolve));
      await dir.cleanup();
    });

    test('a leftover variable is no reason to decline; an empty token or key is', async () => {
      const runs = await Promise.all(
        (
          [
            ['open', 'http'],
            ['basic', 'http'],
            ['fn', 'serverless'],
            ['passes', 'shell'],
          ] as const
        ).map(([service, type]) => enqueueOne(store, service, type, 1)),
      );
      for (const id of runs) {
        const job = await waitForStatus(store, id, 'completed');
        assert.equal(job.error_message ?? null, null);
      }
      assert.equal(requests, 3, 'the HTTP services and the HTTP function were called');

      const declined = [await enqueueOne(store, 'bearer', 'http', 1), await enqueueOne(store, 'lambda', 'serverless', 1)];
      const row = await waitFor('the first look on the worker row', async () => (await store.listWorkers(60_000)).map((w) => WorkerInfo.parse(w))[0]?.cannot_run);
      const lacks = new Map(row.services.map((s) => [s.service, s]));
      assert.deepEqual([...lacks.keys()].sort(), ['bearer', 'lambda']);
      assert.deepEqual([lacks.get('bearer')?.unset, lacks.get('bearer')?.declined], [['EMPTY_TOKEN'], true]);
      assert.deepEqual([lacks.get('lambda')?.unset, lacks.get('lambda')?.declined], [['EMPTY_ACCESS', 'EMPTY_SECRET'], true]);
      assert.deepEqual(engine.declinedServices(), ['bearer', 'lambda']);
      // Claims go on (a later job of another service runs) while the declined ones are left alone.
      await waitForStatus(store, await enqueueOne(store, 'open', 'http', 1), 'completed');
      for (const id of declined) assert.deepEqual([(await jobOf(store, id)).status, (await jobOf(store, id)).attempts], ['pending', 0]);
    });
  });
}
