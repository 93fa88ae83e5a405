import assert from 'node:assert/strict';
import { copyFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ok, opsdeck } from './testing/opsdeck.ts';

const Check = z.object({ name: z.string(), ok: z.boolean(), warning: z.boolean().optional(), detail: z.string() });
const Report = z.object({ ok: z.boolean(), checks: z.array(Check) });
const Diagnosis = z.object({ health: Report });

/**
 * `opsdeck health-check integrity` on an SQLite file damaged as a disk or a bad copy damages one: 40 KB
 * overwritten 80 KB into it, past the schema, so the file still opens and the plain store check still
 * answers. Only reading every page tells.
 */
describe('health-check integrity on a damaged SQLite file', () => {
  let dir: string;
  let healthy: string;
  let damaged: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'opsdeck-integrity-'));
    healthy = path.join(dir, 's.db');
    damaged = path.join(dir, 'corrupt.db');
    const lines = Array.from({ length: 3000 }, (_, n) => JSON.stringify({ payload: { n, pad: 'x'.repeat(200) } }));
    await writeFile(path.join(dir, 'jobs.jsonl'), `${lines.join('\n')}\n`);
    ok(await opsdeck(['enqueue', 'svc', '--db', healthy, '--from', path.join(dir, 'jobs.jsonl')]));
    // The command has closed the store: its write-ahead log is in the file, and the copy is whole.
    await copyFile(healthy, damaged);
    const file = await open(damaged, 'r+');
    try {
      await file.write(Buffer.alloc(40 * 1024, 0xa5), 0, 40 * 1024, 80 * 1024);
    } finally {
      await file.close();
    }
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails naming the damage, where the store check still answers ok; a whole file passes', { timeout: 60_000 }, async () => {
    const store = await opsdeck(['health-check', 'store', '--db', damaged, '--json']);
    assert.equal(store.code, 0, 'the plain store check reads no page past the schema: it cannot tell');

    const run = await opsdeck(['health-check', 'integrity', '--db', damaged, '--json']);
    assert.equal(run.code, 1, run.stderr);
    const report = Report.parse(JSON.parse(run.stdout));
    assert.equal(report.ok, false);
    const [check] = report.checks;
    assert.equal(check?.name, 'integrity');
    assert.equal(check.ok, false);
    assert.match(check.detail, new RegExp(`^the database ${damaged.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged \\(PRAGMA quick_check: .+\\); restore it from a backup, or start with a new file$`));

    const fine = Report.parse(JSON.parse(ok(await opsdeck(['health-check', 'integrity', '--db', healthy, '--json']))));
    assert.equal(fine.checks[0]?.ok, true);
    assert.match(fine.checks[0]?.detail ?? '', /^PRAGMA quick_check of .+: ok \(every page read, [\d.]+ s\)$/);
  });

  it('is left out of the whole report (polled by consoles and monitors), and made by diagnose', { timeout: 60_000 }, async () => {
    const whole = Report.parse(JSON.parse((await opsdeck(['health-check', '--db', damaged, '--json'])).stdout));
    assert.ok(!whole.checks.some((c) => c.name === 'integrity'), whole.checks.map((c) => c.name).join(', '));

    const diagnosed = await opsdeck(['diagnose', '--db', damaged, '--json']);
    const integrity = Diagnosis.parse(JSON.parse(diagnosed.stdout)).health.checks.find((c) => c.name === 'integrity');
    assert.equal(integrity?.ok, false, diagnosed.stdout);
    assert.match(integrity.detail, /is damaged \(PRAGMA quick_check: /);

    const unknown = await opsdeck(['health-check', 'integrty', '--db', healthy]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /known: .*integrity/);
  });
});
