import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

describe('the runbook walkthrough, in the words of the real command', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-words-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("services with a registry that does not load names its one problem, not only how many", async () => {
    const missing = join(dir, 'none.yaml');
    const run = await opsdeck(['services', '--registry', missing]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim(), `opsdeck: ${missing} does not load: file not found: ${missing}`);
  });

  it('workers forget takes the name the list shows, as health-check worker:NAME does; two of one name are refused with their ids', async () => {
    const db = join(dir, 'workers.db');
    const store = await openStore(db);
    try {
      for (const id of ['w1-aaaa', 'twin-1', 'twin-2']) {
        await store.registerWorker({ id, name: id.startsWith('twin') ? 'twin' : 'w1', host: 'h', pid: 1, version: 'x', concurrency: 1, queues: null });
        await store.heartbeat(id, { inFlight: 0, state: 'stopped' });
      }
    } finally {
      await store.close();
    }
    assert.match(ok(await opsdeck(['workers', 'forget', 'W1', '--db', db])), /w1-aaaa/);
    const twins = await opsdeck(['workers', 'forget', 'twin', '--db', db]);
    assert.equal(twins.code, 1, twins.stderr);
    assert.match(twins.stderr, /2 workers are named twin \(twin-1, twin-2\): forget one by its id/);
    assert.match(ok(await opsdeck(['workers', 'forget', 'twin-2', '--db', db])), /twin-2/);
    const gone = await opsdeck(['workers', 'forget', 'w1', '--db', db]);
    assert.match(gone.stderr, /no worker w1/);
  });
});
