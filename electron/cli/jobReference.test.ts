import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = ['services:', '  - name: payments', '    execution_type: noop', ''].join('\n');
const FAILING = '{"fail":true,"fail_retryable":false,"fail_message":"card declined"}';
const Job = z.object({ id: z.number(), identifier: z.string(), status: z.string() });

let dir = '';
let common: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-jobref-'));
  const registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
  common = ['--db', join(dir, 'jobs.db'), '--registry', registry];
  ok(await opsdeck(['migrate', '--db', join(dir, 'jobs.db')]));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function shown(ref: string): Promise<z.infer<typeof Job>> {
  return Job.parse(JSON.parse(ok(await opsdeck(['job', ref, ...common, '--json']))));
}

describe('a job named on the command line is the job opsdeck job shows', () => {
  it("digits that are one job's id and another's identifier are refused by every command, naming both; id: or identifier: says which", async () => {
    ok(await opsdeck(['enqueue', 'payments', '--identifier', 'first', '--payload', FAILING, ...common]));
    ok(await opsdeck(['enqueue', 'payments', '--identifier', '1', '--payload', FAILING, ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
    const first = await shown('first');
    const named = await shown('identifier:1');
    assert.equal(first.id, 1);
    assert.notEqual(named.id, 1);
    assert.equal((await shown('id:1')).identifier, 'first');

    const both = `"1" names two jobs: job 1 by its id and job ${named.id} by its identifier; say which: id:1 for job 1, identifier:1 for job ${named.id}`;
    for (const args of [['job', '1'], ['dlq', 'retry', '1'], ['retry', '1'], ['cancel', '1'], ['fail', '1', '--reason', 'gone', '--force']]) {
      const run = await opsdeck([...args, ...common]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}`);
      assert.equal(run.stderr.trim(), `opsdeck: ${both}`, args.join(' '));
    }
    assert.deepEqual([(await shown('first')).status, (await shown('identifier:1')).status], ['failed', 'failed'], 'neither job was touched');

    const retried = ok(await opsdeck(['dlq', 'retry', 'identifier:1', ...common]));
    assert.match(retried, /^retried 1 dead letter$/m);
    // The worker stopped once the queue was empty: the retry says nothing will run the job until one starts.
    assert.match(retried, /^no live worker runs them: payments \(queue default\): no worker is running \(start one: opsdeck worker\)$/m);
    assert.doesNotMatch(retried, /^jobs? /m, 'the job named is not listed back');
    assert.deepEqual([(await shown('identifier:1')).status, (await shown('first')).status], ['pending', 'failed'], 'the job with id 1 was left alone');

    assert.match(ok(await opsdeck(['cancel', 'identifier:1', ...common])), new RegExp(`^job ${named.id} cancelled$`, 'm'));
    assert.match(ok(await opsdeck(['retry', 'id:1', ...common])), /^job 1 \(first\) is pending again$/m);
    assert.equal((await shown('identifier:1')).status, 'cancelled');
  });

  it('a number past any id is no job, said with the text typed rather than as a bad --ids', async () => {
    const run = await opsdeck(['dlq', 'retry', '99999999999999999999', ...common]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /no job "99999999999999999999"/);
    assert.doesNotMatch(run.stderr, /--ids/);
  });

  it('a named dead letter a search leaves out is named in what matched nothing', async () => {
    ok(await opsdeck(['enqueue', 'payments', '--identifier', 'declined', '--payload', FAILING, ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
    const dead = await shown('declined');
    const run = await opsdeck(['dlq', 'retry', String(dead.id), '--search', 'nomatch', ...common]);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, new RegExp(`no open dead letter matches job ${dead.id} with --search "nomatch"; nothing retried`));
    assert.equal((await shown('declined')).status, 'failed');
  });
});
