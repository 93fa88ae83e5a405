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
    assert.match(lines.at(-1) ?? '', /WARN.*stopped with 2 due job\(s\) still pending: held back by a rate limit, .* or due only since its last claim\. opsdeck job ID says why$/, run.stdout);
    assert.ok(lines.some((l) => /worker stopped/.test(l)), run.stdout);
  });

  it('waits out the recovery timeout of a breaker that tripped, and runs the jobs its probe lets through', async () => {
    const registry = join(dir, 'tripped.yaml');
    await writeFile(registry, [
      'services:',
      '  - name: vendor',
      '    execution_type: noop',
      '    runner_config: { sleep_ms: 100 }',
      '    retry_config: { max_retries: 0 }',
      '    circuit_breaker: { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 1 }',
      '',
    ].join('\n'));
    const common = ['--db', join(dir, 'tripped.db'), '--registry', registry];
    // The first job fails and trips the breaker while the second runs; the rest wait for its probe.
    ok(await opsdeck(['enqueue', 'vendor', '--priority', '10', '--payload', '{"fail":true,"sleep_ms":0,"fail_message":"upstream blipped"}', ...common]));
    for (let i = 0; i < 4; i++) ok(await opsdeck(['enqueue', 'vendor', ...common]));
    const run = await opsdeck(['worker', '--until-empty', '--concurrency', '1', '--log-format', 'text', ...common]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /breaker closed → open/, run.stdout);
    assert.match(run.stdout, /breaker half_open → closed/, run.stdout);
    assert.doesNotMatch(run.stdout, /still pending/);
    const status = z.object({ counts: z.object({ completed: z.number(), failed: z.number(), pending: z.number() }) }).parse(JSON.parse(ok(await opsdeck(['status', '--json', ...common]))));
    assert.deepEqual([status.counts.completed, status.counts.failed, status.counts.pending], [4, 1, 0]);
  });

  it('names the breakers holding the due jobs it stopped beside', async () => {
    const registry = join(dir, 'forced.yaml');
    await writeFile(registry, 'services:\n  - name: vendor\n    execution_type: noop\n  - name: hourly\n    execution_type: noop\n    rate_limit: { limit: 1, per: 1h }\n');
    const common = ['--db', join(dir, 'forced.db'), '--registry', registry];
    ok(await opsdeck(['migrate', '--db', join(dir, 'forced.db')]));
    ok(await opsdeck(['breaker', 'open', 'vendor', '--reason', 'vendor maintenance', ...common]));
    for (let i = 0; i < 3; i++) ok(await opsdeck(['enqueue', 'vendor', ...common]));
    for (let i = 0; i < 2; i++) ok(await opsdeck(['enqueue', 'hourly', ...common]));
    const run = await opsdeck(['worker', '--until-empty', '--log-format', 'text', ...common]);
    assert.equal(run.code, 0, run.stderr);
    const last = run.stdout.trimEnd().split('\n').at(-1) ?? '';
    assert.match(last, /WARN.*stopped with 4 due job\(s\) still pending\. 3 jobs of vendor wait: its circuit breaker is forced open \(opsdeck breaker reset vendor releases them\)\. The other 1: held back by a rate limit, .*\. opsdeck job ID says why$/, run.stdout);
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
