import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';

describe('settings.logs and settings.openLogFolder', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
  });
  after(async () => {
    await t.cleanup();
  });

  it('a host that logs only to its terminal says so, and has no folder to open', async () => {
    assert.deepEqual(await dispatch('settings.logs', {}, t.ctx), { ok: true, result: { directory: null, file: null, can_open: false } });
    const open = await dispatch('settings.openLogFolder', {}, t.ctx);
    assert.equal(open.ok, false);
    assert.match(open.ok ? '' : open.error.message, /writes no log file/);
  });

  it('a host with a log file shows where it is; only one that can open folders opens it', async () => {
    t.ctx.settings.logFile = '/var/lib/opsdeck/logs/opsdeck.log';
    const view = { directory: '/var/lib/opsdeck/logs', file: '/var/lib/opsdeck/logs/opsdeck.log' };
    assert.deepEqual(await dispatch('settings.logs', {}, t.ctx), { ok: true, result: { ...view, can_open: false } });
    const refused = await dispatch('settings.openLogFolder', {}, t.ctx);
    assert.match(refused.ok ? '' : refused.error.message, /cannot open folders; the log is in \/var\/lib\/opsdeck\/logs/);
    let opened = 0;
    t.ctx.settings.openLogFolder = async () => {
      opened++;
    };
    assert.deepEqual(await dispatch('settings.openLogFolder', {}, t.ctx), { ok: true, result: { ...view, can_open: true } });
    assert.equal(opened, 1);
  });
});
