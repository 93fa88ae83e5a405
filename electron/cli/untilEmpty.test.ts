import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const Status = z.object({ counts: z.object({ completed: z.number() }) });

describe('opsdeck worker --until-empty', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-until-empty-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says how many due jobs it stopped beside when a rate limit holds them, and still exits 0', async () => {
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: hourly\n    execution_type: noop\n    rate_limit: { limit: 1, per: 1h }\n');
    const common = ['--db', join(dir, 'limited.db'), '--registry', registry];
    for (let i = 0; i < 3; i++) ok(await opsdeck(['enqueue', 'hourly', ...common]));
    const run = await opsdeck(['worker', '--until-empty', '--log-format', 'text', ...common]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines.at(-1) ?? '', /WARN.*stopped with 2 due job\(s\) still pending, none runnable now \(held back: rate limits, .*opsdeck job ID says why\)$/, run.stdout);
    assert.ok(lines.some((l) => /worker stopped/.test(l)), run.stdout);
  });

  it('runs what a schedule fires as it starts, rather than stopping beside it', async () => {
    const registry = join(dir, 'scheduled.yaml');
    await writeFile(registry, 'services:\n  - name: nightly\n    execution_type: noop\n');
    const db = join(dir, 'scheduled.db');
    const store = await openStore(db);
    try {
      const due = new Date(Date.now() - 1000).toISOString();
      const added = await store.addSchedule(
        { config: { name: 'report', service: 'nightly', cron: '0 3 * * *', timezone: 'UTC', enabled: true, missed: 'run_once', max_catch_up: 10 }, timing: 't', next_fire_at: due },
        { user: 'test', host: 'h' },
      );
      assert.ok(added);
    } finally {
      await store.close();
    }
    const run = await opsdeck(['worker', '--until-empty', '--log-format', 'text', '--db', db, '--registry', registry]);
    assert.equal(run.code, 0, run.stderr);
    const status = await opsdeck(['status', '--db', db, '--json']);
    assert.equal(Status.parse(JSON.parse(ok(status))).counts.completed, 1, 'the fired job ran before the worker stopped');
  });

  it('says nothing more when nothing due is left', async () => {
    const registry = join(dir, 'free.yaml');
    await writeFile(registry, 'services:\n  - name: free\n    execution_type: noop\n');
    const common = ['--db', join(dir, 'free.db'), '--registry', registry];
    ok(await opsdeck(['enqueue', 'free', ...common]));
    ok(await opsdeck(['enqueue', 'free', '--run-at', new Date(Date.now() + 3_600_000).toISOString(), ...common]));
    const run = await opsdeck(['worker', '--until-empty', '--log-format', 'text', ...common]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /still pending/);
  });
});
