import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { checkKey, generateKey, hashSecret } from './apiKeys.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

describe('API keys', () => {
  it('are created once, kept only as a hash, checked, expired and revoked', async () => {
    t = await createTestContext();
    const { ctx, store } = t;
    const response = await dispatch('apiKeys.create', { name: 'ci-bot', scope: 'operate', expires_in_days: 30 }, ctx);
    assert.ok(response.ok, JSON.stringify(response));
    const created = calls['apiKeys.create'].output.parse(response.result);
    assert.match(created.secret, /^odk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const stored = await store.findApiKey(created.key.key_id);
    assert.ok(stored);
    assert.notEqual(stored.secret_hash, created.secret);
    assert.ok(!stored.secret_hash.includes(created.secret.slice(17)), 'the store never holds the secret');
    assert.equal(stored.secret_hash, hashSecret(created.secret.slice(17)));
    const list = await dispatch('apiKeys.list', {}, ctx);
    assert.ok(list.ok);
    assert.ok(!JSON.stringify(list.result).includes(created.secret.slice(17)), 'a list never shows the key');
    assert.deepEqual(calls['apiKeys.list'].output.parse(list.result).keys.map((k) => [k.name, k.scope]), [['ci-bot', 'operate']]);

    const good = await checkKey(store, created.secret);
    assert.ok(good.ok);
    assert.equal(good.key.name, 'ci-bot');
    assert.ok((await store.findApiKey(created.key.key_id))?.last_used_at, 'a good check notes the use');

    const wrongSecret = `${created.secret.slice(0, 17)}${'A'.repeat(43)}`;
    assert.deepEqual(await checkKey(store, wrongSecret), { ok: false, reason: 'unknown', message: 'this API key is not valid: it was revoked, or never existed' });
    assert.equal((await checkKey(store, generateKey().secret)).ok, false, 'a well-formed key nobody made');
    assert.equal((await checkKey(store, 'Bearer nonsense')).ok, false);

    const later = Date.now() + 31 * 86_400_000;
    const expired = await checkKey(store, created.secret, later);
    assert.equal(expired.ok ? 'ok' : expired.reason, 'expired');

    const duplicate = await dispatch('apiKeys.create', { name: 'ci-bot', scope: 'read' }, ctx);
    assert.equal(duplicate.ok ? 'ok' : duplicate.error.code, 'conflict');
    const revoked = await dispatch('apiKeys.revoke', { name: 'ci-bot' }, ctx);
    assert.ok(revoked.ok);
    assert.equal((await checkKey(store, created.secret)).ok, false, 'a revoked key stops working at once');
    const again = await dispatch('apiKeys.revoke', { name: 'ci-bot' }, ctx);
    assert.equal(again.ok ? 'ok' : again.error.code, 'not_found');
  });

  it('refuse names that would not read well in the audit log, and say why', async () => {
    t = await createTestContext();
    const bad = await dispatch('apiKeys.create', { name: 'has space', scope: 'read' }, t.ctx);
    assert.equal(bad.ok ? 'ok' : bad.error.code, 'invalid_input');
    assert.match(bad.ok ? '' : bad.error.message, /letters, digits, dot, dash or underscore/);
    const scope = await dispatch('apiKeys.create', { name: 'x', scope: 'admin' }, t.ctx);
    assert.match(scope.ok ? '' : scope.error.message, /scope/);
  });
});
