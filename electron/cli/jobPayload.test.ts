import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok, opsdeck } from './testing/opsdeck.ts';

describe('opsdeck job with a payload near a megabyte', () => {
  let dir: string;
  let db: string;
  const payload = { rows: Array.from({ length: 9000 }, (_, i) => ({ i, name: `customer_${i}`, note: 'x'.repeat(60) })) };
  const whole = JSON.stringify(payload);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-job-payload-'));
    db = join(dir, 'jobs.db');
    // A file, as the command line of one `--payload` this size is past what a system lets a program take.
    await writeFile(join(dir, 'big.jsonl'), `${JSON.stringify({ identifier: 'big-1', payload })}\n`);
    ok(await opsdeck(['enqueue', 'bulk_import', '--db', db, '--from', join(dir, 'big.jsonl')]));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the first 4 KiB of the payload and says how much more there is and how to get it', async () => {
    assert.ok(whole.length > 800_000);
    const text = ok(await opsdeck(['job', 'big-1', '--db', db]));
    assert.ok(text.length < 8000, `the trace is ${text.length} characters`);
    const line = text.split('\n').find((l) => l.startsWith('payload:')) ?? '';
    assert.ok(line.includes(whole.slice(0, 4000)), 'the payload starts as it is');
    assert.match(line, /… \(\d+\.\d KiB more of \d+\.\d KiB: --payload prints the payload whole, --json the whole trace\)$/);
  });

  it('--payload prints the payload alone and whole; --json keeps it whole in the trace', async () => {
    assert.deepEqual(JSON.parse(ok(await opsdeck(['job', 'big-1', '--db', db, '--payload']))), payload);
    const trace: unknown = JSON.parse(ok(await opsdeck(['job', 'big-1', '--db', db, '--json'])));
    assert.deepEqual(trace !== null && typeof trace === 'object' && 'payload' in trace ? trace.payload : null, payload);
  });

  it('a small payload is printed whole, with no note', async () => {
    ok(await opsdeck(['enqueue', 'bulk_import', '--db', db, '--identifier', 'small-1', '--payload', '{"a":1}']));
    const text = ok(await opsdeck(['job', 'small-1', '--db', db]));
    assert.match(text, /^payload: +\{"a":1\}$/m);
  });
});
