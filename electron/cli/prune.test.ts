import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openStore } from '../store/open.ts';

const BIN = fileURLToPath(new URL('../../bin/opsdeck.js', import.meta.url));

function opsdeck(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1' };
  const run = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('opsdeck prune --dry-run says how many and how much; prune removes them, keeps the rest, and is audited', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-prune-'));
  try {
    const db = join(dir, 'jobs.db');
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: svc\n    execution_type: noop\nretention:\n  completed: 2d\n');
    const store = await openStore(db);
    await store.enqueue(Array.from({ length: 30 }, () => ({ queue: 'q', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1 })));
    const claimed = await store.claim({ workerId: 'w', limit: 25, leaseMs: 60_000 });
    await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'completed' as const })));
    await store.close();
    // Twenty of the completed jobs finished three days ago; five of them today.
    const raw = new Database(db);
    raw.prepare(`UPDATE tb_job_run SET completed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days') WHERE status = 'completed' AND id <= 20`).run();
    raw.close();

    const dry = opsdeck(['prune', '--dry-run', '--db', db, '--registry', registry]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /retention: completed 2d, cancelled 7d, resolved dead letters 30d, history 30d/);
    assert.match(dry.stdout, /would prune 20 completed, 0 cancelled and 0 resolved dead letter\(s\), about \d/);

    const real = opsdeck(['prune', '--db', db, '--registry', registry, '--json']);
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual(JSON.parse(real.stdout), { dry_run: false, completed: 20, cancelled: 0, dead_letters: 0, bytes: JSON.parse(real.stdout).bytes, history_rows: 0 });

    const after = await openStore(db);
    try {
      const left = await after.countsByQueueAndStatus();
      assert.deepEqual(left.map((c) => [c.status, c.count]).sort(), [['completed', 5], ['pending', 5]]);
      assert.deepEqual(await after.checkCounts(false), []);
      const audit = await after.listAudit({ action: 'retention.prune' }, { limit: 5 });
      assert.equal(audit.items[0]?.job_count, 20);
    } finally {
      await after.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('opsdeck prune waits for the pruning lease another process holds, then refuses naming who holds it until when; --dry-run needs none', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-prune-lease-'));
  try {
    const db = join(dir, 'jobs.db');
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: svc\n    execution_type: noop\n');
    const store = await openStore(db);
    try {
      assert.equal(await store.takeMaintenance('retention', 'worker-b', 60_000), true);
      const until = (await store.maintenanceHolder('retention'))?.until ?? '';
      const started = Date.now();
      const refused = opsdeck(['prune', '--wait', '1s', '--db', db, '--registry', registry, '--utc']);
      assert.equal(refused.code, 1, refused.stderr);
      assert.ok(Date.now() - started >= 1000, 'it waited first');
      const untilText = until.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
      assert.match(refused.stderr, new RegExp(`^opsdeck: waiting up to 1s for the pruning lease: worker-b holds it until ${untilText}`, 'm'));
      assert.match(refused.stderr, new RegExp(`^opsdeck: worker-b still holds the pruning lease, until ${untilText} \\(a worker's background round or another prune\\): pruned nothing; run opsdeck prune again once it is free, or with a longer --wait$`, 'm'));
      assert.equal(refused.stdout, '');
      assert.equal((await store.listAudit({ action: 'retention.prune' }, { limit: 5 })).items.length, 0);

      const dry = opsdeck(['prune', '--dry-run', '--db', db, '--registry', registry]);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /would prune 0 completed/);

      const bad = opsdeck(['prune', '--wait', 'soon', '--db', db, '--registry', registry]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--wait takes a duration like 30s, 2m or 0 \(refuse at once\), not "soon"/);

      await store.releaseMaintenance('retention', 'worker-b');
      const free = opsdeck(['prune', '--wait', '0', '--db', db, '--registry', registry]);
      assert.equal(free.code, 0, free.stderr);
      assert.equal(free.stderr, '');
      assert.equal(await store.maintenanceHolder('retention'), null, 'given up after the run');
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
