import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = ['services:', '  - name: payments', '    execution_type: noop', ''].join('\n');
const FAILING = { fail: true, fail_retryable: false, fail_message: 'card declined' };

let dir = '';
let common: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-dlq-ids-'));
  const registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
  common = ['--db', join(dir, 'jobs.db'), '--registry', registry];
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * `opsdeck dlq retry` lists the jobs a selector sent back on one line, the first 20, and counts the rest:
 * past the 100 the answer names (job_ids), from job_ids_more.
 */
describe('dlq retry names the jobs it sent back in a line, not a screenful', () => {
  it('103 sent back: the first 20 by id, and 83 more', async () => {
    const lines = Array.from({ length: 103 }, () => JSON.stringify({ payload: FAILING })).join('\n');
    await writeFile(join(dir, 'jobs.jsonl'), `${lines}\n`);
    ok(await opsdeck(['enqueue', 'payments', '--from', join(dir, 'jobs.jsonl'), ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
    const failed = z.object({ jobs: z.array(z.object({ id: z.number() })) }).parse(JSON.parse(ok(await opsdeck(['dlq', 'list', '--limit', '500', '--json', ...common]))));
    const ids = failed.jobs.map((j) => j.id).sort((a, b) => a - b);
    assert.equal(ids.length, 103);

    const retried = ok(await opsdeck(['dlq', 'retry', '--service', 'payments', ...common]));
    assert.match(retried, /^retried 103 dead letters$/m);
    const listed = retried.split('\n').filter((line) => line.startsWith('jobs '));
    assert.deepEqual(listed, [`jobs ${ids.slice(0, 20).join(', ')} and 83 more`]);
  });
});
