import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { ok, opsdeck } from './testing/opsdeck.ts';

const REGISTRY = ['services:', '  - name: payments', '    execution_type: noop', ''].join('\n');
const FAILING = '{"fail":true,"fail_retryable":false,"fail_message":"card declined"}';
const Job = z.object({ id: z.number() });

let dir = '';
let common: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-exit-'));
  const registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
  common = ['--db', join(dir, 'jobs.db'), '--registry', registry];
  ok(await opsdeck(['migrate', '--db', join(dir, 'jobs.db')]));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function enqueued(identifier: string, payload: string): Promise<number> {
  return Job.parse(JSON.parse(ok(await opsdeck(['enqueue', 'payments', '--identifier', identifier, '--payload', payload, ...common, '--json'])))).id;
}

describe('what a bulk command exits with when it finds nothing to do, and when something named was left out', () => {
  it('a sweep that finds nothing exits 0 and says so', async () => {
    assert.match(ok(await opsdeck(['dlq', 'retry', '--all', ...common])), /^retried 0 dead letters$/m);
    assert.match(ok(await opsdeck(['dlq', 'resolve', '--all', '--note', 'tidy', ...common])), /^resolved 0 dead letters$/m);
    assert.match(ok(await opsdeck(['dlq', 'purge', '--before', '1d', ...common])), /^purged 0 dead letters$/m);
    assert.match(ok(await opsdeck(['fail', '--stuck', '--reason', 'tidy', ...common])), /^no stuck jobs/m);
    assert.match(ok(await opsdeck(['breaker', 'auto', '--all', ...common])), /^auto: nothing changed, every breaker \(1\) already in auto$/m);
  });

  it('something named that was not acted on exits 1, saying what on stderr, whatever else was done', async () => {
    const dead = await enqueued('declined', FAILING);
    const done = await enqueued('paid', '{}');
    ok(await opsdeck(['worker', '--until-empty', ...common]));

    const search = await opsdeck(['dlq', 'retry', String(dead), '--search', 'nomatch', ...common]);
    assert.equal(search.code, 1, search.stdout);
    assert.match(search.stderr, new RegExp(`^opsdeck: no open dead letter matches job ${dead} with --search "nomatch"; nothing retried$`, 'm'));

    // The one a dead letter is retried; the other, completed, is left out, and a script must hear of it.
    for (const dryRun of [['--dry-run'], []]) {
      const both = await opsdeck(['dlq', 'retry', String(dead), String(done), ...dryRun, ...common]);
      assert.equal(both.code, 1, both.stdout);
      assert.match(both.stdout, dryRun.length > 0 ? /^would retry 1 dead letter;/m : /^retried 1 dead letter$/m);
      assert.match(both.stderr, new RegExp(`^opsdeck: not open dead letters, left as they are: ${done}$`, 'm'));
    }
    const again = await opsdeck(['dlq', 'retry', String(dead), ...common]);
    assert.equal(again.code, 1, 'retried already: no open dead letter any more');
    assert.match(again.stderr, new RegExp(`^opsdeck: no open dead letter has the id ${dead}$`, 'm'));
  });
});
