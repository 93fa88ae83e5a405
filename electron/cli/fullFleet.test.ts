import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { BIN, opsdeck, ok } from './testing/opsdeck.ts';

const REGISTRY = [
  'services:',
  '  - name: nap',
  '    execution_type: shell',
  '    runner_config: { command: ["/bin/sleep", "60"] }',
  '    security_policy: { allowed_commands: ["/bin/sleep"] }',
  '',
].join('\n');

let dir: string;
let db: TestDatabase;
let common: string[];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-fullfleet-'));
  const registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
  db = await createTestDatabase();
  common = ['--db', db.url, '--registry', registry];
  ok(await opsdeck(['migrate', ...common]));
});
after(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Asks until `read` answers true, every 100 ms, for at most 30 s. */
async function until(what: string, read: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await read()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`gave up waiting for ${what}`);
}

const Workers = z.object({ workers: z.array(z.object({ in_flight: z.number(), concurrency: z.number(), lost: z.boolean() })) });

// The operators' walkthrough: every worker full, a job waited with no reason anywhere and a dispatch check that read all well.
it('a job held back only because every live worker is full says so in opsdeck job, and health-check dispatch warns (PostgreSQL, a real worker)', async () => {
  const worker = spawn(process.execPath, [BIN, 'worker', '--concurrency', '2', '--grace', '1', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => worker.on('close', resolve));
  try {
    for (let i = 0; i < 2; i++) ok(await opsdeck(['enqueue', 'nap', ...common]));
    // Its heartbeat says it is full: what the reason is read from.
    await until('the worker to report 2 of 2 in flight', async () => {
      const list = Workers.parse(JSON.parse(ok(await opsdeck(['workers', '--json', ...common])))).workers;
      return list.length === 1 && list[0]?.in_flight === 2;
    });
    ok(await opsdeck(['enqueue', 'nap', '--identifier', 'pw-1', ...common]));

    const job = ok(await opsdeck(['job', 'pw-1', ...common]));
    assert.match(job, /^status: +pending$/m);
    assert.match(
      job,
      /^waiting: +no free slot: every live worker taking queue default is busy \(2 of 2 slots, 1 worker\), as opsdeck workers shows; more capacity: start another worker \(opsdeck worker\) or restart one with a higher --concurrency$/m,
      job,
    );
    const dispatch = await opsdeck(['health-check', 'dispatch', ...common]);
    assert.equal(dispatch.code, 0, 'a warning, not a failure: dispatch works');
    assert.match(dispatch.stdout, /^dispatch +WARN +1 job\(s\) due: waiting for a free slot: every live worker taking queue default is busy \(2 of 2 slots, 1 worker\); more capacity: /m, dispatch.stdout);
  } finally {
    worker.kill('SIGTERM');
    await exited;
  }
});
