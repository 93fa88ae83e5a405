import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { WORKER_LOST_AFTER_MS } from '../api/handlers/workers.ts';
import { openStore } from '../store/open.ts';
import { BIN, ok, opsdeck } from './testing/opsdeck.ts';

const Runners = z.object({ unserved: z.array(z.object({ service: z.string(), queue: z.string(), reason: z.string() })) }).loose();

describe('opsdeck runners names the services no live worker runs, and why (a real worker)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-unserved-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('no worker at all; then a worker taking other queues, and one whose registry lacks a service', async () => {
    const db = join(dir, 'unserved.db');
    const full = join(dir, 'full.yaml');
    const part = join(dir, 'part.yaml');
    await writeFile(full, 'services:\n  - name: payments\n    execution_type: noop\n    queue: billing\n  - name: reports\n    execution_type: noop\n  - name: extra\n    execution_type: noop\n');
    await writeFile(part, 'services:\n  - name: reports\n    execution_type: noop\n');
    ok(await opsdeck(['migrate', '--db', db]));
    const none = ok(await opsdeck(['runners', '--db', db, '--registry', full]));
    // One reason for every service: said once, after all of them.
    assert.match(none, /^no live worker runs these services:\n {2}payments \(queue billing\), reports \(queue default\), extra \(queue default\): no worker is running \(start one: opsdeck worker\)$/m);

    const worker = spawn(process.execPath, [BIN, 'worker', '--db', db, '--registry', part, '--queues', 'default'], { env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined }, stdio: 'ignore' });
    const exited = new Promise((resolve) => worker.on('close', resolve));
    const store = await openStore(db);
    try {
      for (let i = 0; ; i++) {
        if ((await store.listWorkers(WORKER_LOST_AFTER_MS)).some((w) => !w.lost && w.state === 'running')) break;
        assert.ok(i < 300, 'the worker registered');
        await new Promise((r) => setTimeout(r, 100));
      }
      const text = ok(await opsdeck(['runners', '--db', db, '--registry', full]));
      assert.match(text, /^ {2}payments \(queue billing\): no running worker takes queue billing \(each was started with --queues naming others\)$/m);
      assert.match(text, /^ {2}extra \(queue default\): no running worker's registry has service extra: start a worker whose registry names it, or add it to the workers' registry$/m);
      assert.doesNotMatch(text, /^ {2}reports /m, 'the worker runs it');
      const json = Runners.parse(JSON.parse(ok(await opsdeck(['runners', '--json', '--db', db, '--registry', full]))));
      assert.deepEqual(json.unserved.map((u) => u.service), ['payments', 'extra']);
      assert.doesNotMatch(ok(await opsdeck(['runners', '--db', db, '--registry', part])), /no live worker runs/, 'every service of that registry is run');
    } finally {
      worker.kill('SIGTERM');
      await exited;
      await store.close();
    }
  });
});
