import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import type { AuditEntry } from '../../shared/domain.ts';
import { dispatch } from '../api/dispatch.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';
import { createRuntime, type Runtime } from '../api/runtime.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { createRestHandler } from './handler.ts';
import { RefusalAudit } from './refusalAudit.ts';
import { startRestServer, type RunningRestServer } from './server.ts';
import { rawRequest } from './testing/http.ts';
import { FailureThrottle } from './throttle.ts';

/** Refused requests over real HTTP: audited with who asked and what, never a secret, and a flood coalesced. */
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`REST refusals in the audit log (${dialect})`, () => {
    let dir: string;
    let database: TestDatabase | null = null;
    let runtime: Runtime;
    let server: RunningRestServer;
    let refusals: RefusalAudit;
    const keys = { read: '', revoked: '' };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'opsdeck-rest-refusals-'));
      const registryPath = join(dir, 'registry.yaml');
      await writeFile(registryPath, 'services:\n  - name: payments\n    execution_type: noop\n');
      database = dialect === 'postgres' ? await createTestDatabase({ migrated: true }) : null;
      runtime = await createRuntime({ words: CONSOLE_WORDS, db: database?.url ?? join(dir, 'opsdeck.db'), registryPath, execute: false, env: {} });
      refusals = new RefusalAudit((entry) => runtime.ctx.store.audit(entry), { rowsPerWindow: 4 });
      // Free failures enough for the flood: this test is of the audit log, not of the lockout.
      const handler = createRestHandler({ context: () => runtime.ctx, throttle: new FailureThrottle({ freeFailures: 1000 }), refusals });
      server = await startRestServer({ host: '127.0.0.1', port: 0, handler });
      const make = async (name: string, scope: 'read' | 'operate') => calls['apiKeys.create'].output.parse(((r) => (r.ok ? r.result : null))(await dispatch('apiKeys.create', { name, scope }, runtime.ctx))).secret;
      keys.read = await make('monitor', 'read');
      keys.revoked = await make('old-bot', 'operate');
      assert.ok((await dispatch('apiKeys.revoke', { name: 'old-bot' }, runtime.ctx)).ok);
    });

    after(async () => {
      await server?.close();
      await runtime?.close();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    const post = (path: string, authorization?: string) =>
      rawRequest({ port: server.port, path, method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{}' });

    async function rows(action: string): Promise<AuditEntry[]> {
      await refusals.flush();
      return (await runtime.ctx.store.listAudit({ action }, { limit: 100 })).items;
    }

    it("audits a read key's refused action with the key's name and the route, and the action is not done", async () => {
      assert.equal((await post('/v1/control/emergency-stop', `Bearer ${keys.read}`)).status, 403);
      const [row] = await rows('api_key.refused');
      assert.equal(row?.actor, 'api-key:monitor@127.0.0.1');
      assert.equal(row?.target, 'POST /v1/control/emergency-stop');
      assert.deepEqual(row?.details, { key_prefix: keys.read.slice(0, 16), scope: 'read' });
      assert.equal((await runtime.ctx.store.getControl()).emergency_stop.engaged, false);
    });

    it('audits failed authentication with the key prefix and never the secret; no key at all only on an action route', async () => {
      assert.equal((await post('/v1/control/safe-mode', `Bearer ${keys.revoked}`)).status, 401);
      assert.equal((await post('/v1/control/resume', 'Bearer hunter2')).status, 401);
      assert.equal((await post('/v1/control/resume')).status, 401);
      assert.equal((await rawRequest({ port: server.port, path: '/v1/status' })).status, 401, 'a probe with no key');
      const failed = await rows('api_key.auth_failed');
      assert.deepEqual(
        failed.map((r) => [r.actor, r.target, r.details]).reverse(),
        [
          ['unauthenticated@127.0.0.1', 'POST /v1/control/safe-mode', { reason: 'unknown', key_prefix: keys.revoked.slice(0, 16) }],
          ['unauthenticated@127.0.0.1', 'POST /v1/control/resume', { reason: 'not_a_key', key_prefix: null }],
          ['unauthenticated@127.0.0.1', 'POST /v1/control/resume', { reason: 'no_key', key_prefix: null }],
        ],
      );
      const secret = keys.revoked.slice(17);
      const all = JSON.stringify((await runtime.ctx.store.listAudit({}, { limit: 500 })).items);
      assert.ok(!all.includes(secret) && !all.includes('hunter2'), 'no secret in the audit log');
    });

    it('a flood of bad requests writes a few rows and one that counts the rest', async () => {
      const before = (await rows('api_key.auth_failed')).length;
      for (let i = 0; i < 60; i++) assert.equal((await post('/v1/control/emergency-stop', `Bearer ${keys.revoked}`)).status, 401);
      const after = await rows('api_key.auth_failed');
      // The first in a row of its own, as it came; the 59 repeats counted in one row as the window closed.
      assert.equal(after.length - before, 2, after.map((r) => JSON.stringify(r.details)).join('\n'));
      const [summary, first] = after;
      assert.deepEqual([first?.target, first?.details], ['POST /v1/control/emergency-stop', { reason: 'unknown', key_prefix: keys.revoked.slice(0, 16) }]);
      assert.deepEqual([summary?.actor.startsWith('rest-api@'), summary?.target], [true, null]);
      assert.equal(summary?.details?.coalesced, 59);
      assert.deepEqual(summary?.details?.groups, [
        { actor: 'unauthenticated@127.0.0.1', route: 'POST /v1/control/emergency-stop', reason: 'unknown', key_prefix: keys.revoked.slice(0, 16), count: 59 },
      ]);
    });

    it('past the rows a window writes, distinct refusals are counted too', async () => {
      await refusals.flush();
      const before = (await rows('api_key.auth_failed')).length;
      for (let i = 0; i < 10; i++) assert.equal((await post(`/v1/control/queues/q${i}/pause`, 'Bearer nope')).status, 401);
      const after = await rows('api_key.auth_failed');
      assert.equal(after.length - before, 5, 'four rows, then one that counts the other six');
      assert.equal(after[0]?.details?.coalesced, 6);
    });
  });
}
