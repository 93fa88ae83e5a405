import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { calls } from '../../shared/contract.ts';
import { startRestFixture, type RestFixture } from '../rest/testing/restFixture.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

/**
 * The runbook's "ensure the scheduler is running" at 19:42:42 with no worker running: a fire of 19:42:00
 * was missed, not yet two minutes overdue, and was said as the next one, "in 0s".
 */
describe('health-check scheduler of a fire just missed with no worker running', () => {
  let dir: string;
  let db: string;
  let common: string[];
  let rest: RestFixture;
  let dueAt: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-scheduler-missed-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: echo\n    execution_type: noop\n');
    db = join(dir, 'o.db');
    common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', ...common]));
    ok(await opsdeck(['schedule', 'add', 'every_minute_echo', '--service', 'echo', '--cron', '* * * * *', ...common]));
    // Its next fire 42 s ago, as the minute a stopped worker never fired leaves it, without waiting for the minute.
    dueAt = new Date(Date.now() - 42_000).toISOString();
    const file = new Database(db);
    try {
      assert.equal(file.prepare('UPDATE tb_schedule SET next_fire_at = ?').run(dueAt).changes, 1);
    } finally {
      file.close();
    }
    rest = await startRestFixture(registry, { ...process.env, OPSDECK_REGISTRY: '' }, db);
  });

  after(async () => {
    await rest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the CLI says the fire was due, how long ago, and that no worker fired it: never "in 0s"', async () => {
    const checked = await opsdeck(['health-check', 'scheduler', '--utc', ...common]);
    assert.equal(checked.code, 1, checked.stderr);
    assert.match(
      checked.stdout,
      /^scheduler +FAIL +1 active schedule\(s\) and no live worker to fire them: every_minute_echo was due at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+s ago\) and no worker has fired it; start one with opsdeck worker$/m,
      checked.stdout,
    );
    assert.doesNotMatch(checked.stdout, /\(in 0s\)/);
  });

  it('REST says the same in its words, 503', async () => {
    const answer = await rest.call('GET', '/v1/health/scheduler', rest.readKey);
    assert.equal(answer.status, 503, answer.text);
    const [check] = calls['health.check'].output.parse(answer.json).checks;
    const at = dueAt.replace(/\./g, '\\.');
    assert.match(check?.detail ?? '', new RegExp(`^1 active schedule\\(s\\) and no live worker to fire them: every_minute_echo was due at ${at} \\(\\d+s ago\\) and no worker has fired it; start one with opsdeck worker on a server$`));
  });
});
