import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeyRecord } from '../../../shared/apiKey.ts';
import type { NewApiKey } from '../apiKeyStore.ts';
import { alice, ALICE, auditActions, sleep } from './fixtures.ts';
import type { ContractTest } from './fixtures.ts';

function key(name: string, extra: Partial<NewApiKey> = {}): NewApiKey {
  return { key_id: `id${name}`.slice(0, 12).padEnd(12, '0'), name, scope: 'read', secret_hash: `hash-of-${name}`, expires_at: null, ...extra };
}

/** API keys: kept by name, found by their public id, never listed with their hash; changes audited. */
export function apiKeysContract(test: ContractTest): void {
  describe('api keys', () => {
    test('create, list, find and revoke, each change audited with its actor', async (store) => {
      const expires = new Date(Date.now() + 86_400_000).toISOString();
      const created = ApiKeyRecord.parse(await store.createApiKey(key('ci-bot', { scope: 'operate', expires_at: expires }), alice));
      assert.equal(created.name, 'ci-bot');
      assert.equal(created.scope, 'operate');
      assert.equal(created.created_by, ALICE);
      assert.equal(created.expires_at, expires);
      assert.equal(created.last_used_at, null);
      assert.equal(await store.createApiKey(key('ci-bot', { key_id: 'otherid00000' }), alice), null, 'a name is one key');
      await store.createApiKey(key('alpha'), alice);

      const listed = await store.listApiKeys();
      assert.deepEqual(listed.map((k) => k.name), ['alpha', 'ci-bot']);
      assert.ok(listed.every((k) => !('secret_hash' in k)), 'a list never carries the hash');

      const found = await store.findApiKey(created.key_id);
      assert.equal(found?.name, 'ci-bot');
      assert.equal(found?.secret_hash, 'hash-of-ci-bot');
      assert.equal(await store.findApiKey('nosuchkey000'), null);

      const revoked = await store.revokeApiKey('ci-bot', alice);
      assert.equal(revoked?.name, 'ci-bot');
      assert.equal(await store.findApiKey(created.key_id), null);
      assert.equal(await store.revokeApiKey('ci-bot', alice), null, 'revoking twice finds nothing');
      assert.deepEqual((await store.listApiKeys()).map((k) => k.name), ['alpha']);

      const audits = (await auditActions(store)).filter((a) => a.action.startsWith('api_key.'));
      assert.deepEqual(audits.map((a) => [a.action, a.target, a.actor]).reverse(), [
        ['api_key.create', 'ci-bot', ALICE],
        ['api_key.create', 'alpha', ALICE],
        ['api_key.revoke', 'ci-bot', ALICE],
      ]);
      assert.ok(!JSON.stringify(audits).includes('hash-of-'), 'the audit log never holds a hash');
    });

    test('touch records the last use, at most once a minute', async (store) => {
      const created = ApiKeyRecord.parse(await store.createApiKey(key('poller'), alice));
      await store.touchApiKey(created.key_id);
      const first = (await store.findApiKey(created.key_id))?.last_used_at;
      assert.ok(first, 'the first use is recorded');
      assert.ok(Math.abs(Date.parse(first) - Date.now()) < 60_000);
      await sleep(5);
      await store.touchApiKey(created.key_id);
      assert.equal((await store.findApiKey(created.key_id))?.last_used_at, first, 'a use within the minute writes nothing');
      await store.touchApiKey('nosuchkey000');
    });
  });
}
