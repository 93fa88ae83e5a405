import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createTestContext, type TestContext } from '../api/testing/apiTestContext.ts';
import { authenticate } from './auth.ts';
import { FailureThrottle } from './throttle.ts';

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

/** A request as authenticate reads it: its headers. */
function withAuthorization(authorization: string): Pick<IncomingMessage, 'headers'> {
  return { headers: { authorization } };
}

describe('the Authorization header', () => {
  it('says what is wrong with it: no scheme, another scheme, a key cut short; and a good one passes', async () => {
    t = await createTestContext();
    const created = await dispatch('apiKeys.create', { name: 'ops', scope: 'operate' }, t.ctx);
    assert.ok(created.ok, JSON.stringify(created));
    const key = calls['apiKeys.create'].output.parse(created.result).secret;
    const opts = { store: t.store, throttle: new FailureThrottle({ freeFailures: 10 }), address: '127.0.0.1' };
    const said = async (authorization: string) => {
      const result = await authenticate(withAuthorization(authorization), opts);
      return result.ok ? 'ok' : result.message;
    };
    // Runbook 004 is about exactly this header: each mistake gets its own answer.
    assert.equal(await said(key), 'the Authorization header has no scheme: send Authorization: Bearer <key>');
    assert.equal(await said(`Token ${key}`), 'the Authorization header uses the scheme "Token": send Authorization: Bearer <key>');
    assert.match(await said(`Bearer ${key}x`), /^this API key is cut or mistyped: a key is odk_, 12 hex digits, _ and 43 more characters/);
    assert.equal(await said('Bearer'), 'the Authorization header has no key after Bearer');
    assert.equal(await said(`Bearer ${key} ${key}`), 'the Authorization header has more than one word after Bearer: send Authorization: Bearer <key>');
    assert.equal(await said(`bearer   ${key} `), 'ok', 'the scheme in any case, spaces around the key');
  });
});
