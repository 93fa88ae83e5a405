import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALL_NAMES, calls } from '../../shared/contract.ts';
import { StoreError } from '../store/errors.ts';
import { storeWith } from '../store/testing/storeWith.ts';
import { dispatch } from './dispatch.ts';
import { handlerTable } from './handlerTable.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

describe('dispatch', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(async () => {
    await t.cleanup();
  });

  it('has a handler for every call of the contract and nothing else', () => {
    assert.deepEqual(Object.keys(handlerTable).sort(), [...CALL_NAMES].sort());
    for (const name of CALL_NAMES) assert.equal(typeof handlerTable[name], 'function', name);
  });

  it('answers an unknown call with not_found', async () => {
    const res = await dispatch('jobs.explode', {}, t.ctx);
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.error.code, 'not_found');
  });

  it('refuses invalid input to every call with invalid_input and issues, and changes nothing', async () => {
    const auditBefore = await t.auditCount();
    const statsBefore = await t.store.countsByQueueAndStatus();
    for (const name of CALL_NAMES) {
      for (const bad of [42, 'text', [], { definitely_not_a_field: true }]) {
        assert.equal(calls[name].input.safeParse(bad).success, false, `${name} must refuse ${JSON.stringify(bad)}`);
        const res = await dispatch(name, bad, t.ctx);
        assert.equal(res.ok, false, `${name} with ${JSON.stringify(bad)}`);
        if (res.ok) continue;
        assert.equal(res.error.code, 'invalid_input', `${name}: ${res.error.message}`);
        assert.ok(res.error.issues && res.error.issues.length > 0, `${name} lists issues`);
        assert.ok(res.error.message.includes(name), 'the message names the call');
      }
    }
    assert.equal(await t.auditCount(), auditBefore);
    assert.deepEqual(await t.store.countsByQueueAndStatus(), statsBefore);
  });

  it('names the path of each problem', async () => {
    const res = await dispatch('dlq.retry', { selector: { job_ids: [1, -2] }, dry_run: 'yes' }, t.ctx);
    assert.equal(res.ok, false);
    if (res.ok) return;
    const paths = (res.error.issues ?? []).map((i) => i.path).sort();
    assert.deepEqual(paths, ['dry_run', 'selector.job_ids[1]']);
  });

  it('says what a wrong value must be, and what was sent: a fraction as itself, an id or identifier by what each is', async () => {
    const issuesOf = async (name: string, input: unknown) => {
      const res = await dispatch(name, input, t.ctx);
      return res.ok ? [] : (res.error.issues ?? []);
    };
    assert.deepEqual(await issuesOf('jobs.enqueue', { service: 'billing', priority: 1.5 }), [{ path: 'priority', message: 'must be a whole number, not 1.5' }]);
    const must = 'must be an id (a whole number above 0) or an identifier (text of 1 to 200 characters), not';
    const sent: Array<[string, unknown, string]> = [
      ['jobs.get', 1.5, '1.5'],
      ['jobs.cancel', true, 'a boolean'],
      ['jobs.retry', 0, '0'],
      ['jobs.fail', '', 'empty text'],
      ['workflows.show', 'r'.repeat(201), 'text of 201 characters'],
    ];
    for (const [name, value, said] of sent) {
      const key = name === 'workflows.show' ? 'run' : 'id';
      const extra = name === 'jobs.fail' ? { reason: 'gone' } : {};
      assert.deepEqual(await issuesOf(name, { [key]: value, ...extra }), [{ path: key, message: `${must} ${said}` }], `${name} ${JSON.stringify(value)}`);
    }
    assert.deepEqual(await issuesOf('jobs.get', {}), [{ path: 'id', message: 'required' }], 'left out, it is required');
  });

  it('treats a missing input as no arguments', async () => {
    const res = await dispatch('control.get', undefined, t.ctx);
    assert.equal(res.ok, true);
  });

  it('turns a StoreError into unavailable with its one-line message (and its action when it will not pass by itself), and a surprise into internal', async () => {
    const store = storeWith(t.store, {
      getControl: () => Promise.reject(new StoreError('unreachable', 'cannot reach PostgreSQL at db:5432', 'is it running?', { transient: true })),
      listBreakers: () => Promise.reject(new StoreError('unavailable', 'the database ops lacks opsdeck\'s schema', 'run opsdeck migrate')),
      listWorkers: () => Promise.reject(new TypeError('boom\n    at secret/internal.ts:1:1')),
    });
    const ctx = { ...t.ctx, store };
    const res = await dispatch('control.get', {}, ctx);
    assert.deepEqual(res, { ok: false, error: { code: 'unavailable', message: 'cannot reach PostgreSQL at db:5432; is it running?' } });
    assert.deepEqual(await dispatch('breakers.list', {}, ctx), {
      ok: false,
      error: { code: 'unavailable', message: "the database ops lacks opsdeck's schema; run opsdeck migrate", action: 'run opsdeck migrate' },
    }, 'an outage that will not pass by itself says what to do apart, so a console promises no recovery');
    const res2 = await dispatch('workers.list', {}, ctx);
    assert.equal(res2.ok, false);
    if (res2.ok) return;
    assert.equal(res2.error.code, 'internal');
    assert.ok(!res2.error.message.includes('\n'), 'one line');
  });
});
