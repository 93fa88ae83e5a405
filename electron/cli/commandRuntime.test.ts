import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dispatch } from '../api/dispatch.ts';
import { openStore } from '../store/open.ts';
import { commandRuntime } from './commandRuntime.ts';

test("health-check's and diagnose's runtime answers in the CLI's words, not the console's pages", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-command-runtime-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const db = join(dir, 'o.db');
  await (await openStore(db)).close();
  const rt = await commandRuntime({ db }, {});
  t.after(() => rt.close());
  assert.equal(rt.ctx.answeredBy, 'command');
  const forgot = await dispatch('workers.forget', { id: 'nowhere:1' }, rt.ctx);
  assert.ok(!forgot.ok);
  assert.match(forgot.error.message, /opsdeck workers/);
  assert.doesNotMatch(forgot.error.message, /Runners page/);
});
