import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calls, type CallName } from '../../shared/contract.ts';
import { READS_THE_STORE } from '../../shared/storeReads.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { openStore } from '../store/open.ts';

/** The least input each call takes. */
const INPUTS: Partial<Record<CallName, unknown>> = { 'overview.series': { window: '1h' }, 'jobs.get': { id: 1 } };

/**
 * The console takes its store banner down when one of these calls succeeds: each must fail while the store
 * does not answer, or the banner and the Overview's "not live" note would go while it stays away.
 */
describe('the calls that prove the store answers', () => {
  let db: TestDatabase;
  let t: TestContext;

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    t = await createTestContext();
    t.ctx.store = await openStore(db.url);
  });

  after(async () => {
    await db.allowConnections(true).catch(() => undefined);
    await t.ctx.store.close();
    await t.cleanup();
    await db.drop();
  });

  it('each answers unavailable while the database does not take connections, and answers once it does', { timeout: 60_000 }, async () => {
    await db.allowConnections(false);
    for (const name of READS_THE_STORE) {
      const answer = await dispatch(name, INPUTS[name] ?? {}, t.ctx);
      assert.equal(answer.ok ? 'answered' : answer.error.code, 'unavailable', `${name} must fail while the store does not answer`);
    }
    await db.allowConnections(true);
    const answer = await dispatch('control.get', {}, t.ctx);
    assert.ok(answer.ok && calls['control.get'].output.safeParse(answer.result).success, JSON.stringify(answer));
  });
});
