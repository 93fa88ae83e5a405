import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const ACTOR = { user: 'ops', host: 'laptop' };

/** Two dead letters of different classes, both resolved: what a purge deletes. */
async function resolvedOfTwoClasses(db: string): Promise<void> {
  const store = await openStore(db);
  try {
    await store.enqueue([
      { queue: 'q', service_name: 'payments', execution_type: 'noop', max_attempts: 1 },
      { queue: 'q', service_name: 'reports', execution_type: 'noop', max_attempts: 1 },
    ]);
    const claimed = await store.claim({ workerId: 'w', limit: 2, leaseMs: 60_000 });
    assert.equal(claimed.length, 2);
    const [timeout, connection] = claimed;
    assert.ok(timeout && connection);
    await store.settle([
      { jobId: timeout.id, attemptId: timeout.attempt_id, workerId: 'w', kind: 'failed', outcome: 'failed', error: { message: 'timed out after 2s', error_class: 'timeout', fingerprint: 'fp-timeout' } },
      { jobId: connection.id, attemptId: connection.attempt_id, workerId: 'w', kind: 'failed', outcome: 'failed', error: { message: 'connection refused', error_class: 'connection', fingerprint: 'fp-connection' } },
    ]);
    assert.equal(await store.dlqResolve({ all: true }, 'handled by hand', ACTOR), 2);
  } finally {
    await store.close();
  }
}

describe('dlq refuses an option its subcommand does not apply, rather than pass it over', { concurrency: 2 }, () => {
  let dir = '';
  let common: string[] = [];
  // Ahead of the resolve: purge deletes what was resolved before it.
  const later = new Date(Date.now() + 3_600_000).toISOString();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-dlq-options-'));
    const db = join(dir, 'dlq.db');
    common = ['--db', db];
    await resolvedOfTwoClasses(db);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('purge, a hard delete of every class, takes no selector: --class, --service, --fingerprint, --search, --ids', async () => {
    for (const [option, value] of [['class', 'timeout'], ['service', 'payments'], ['fingerprint', 'fp-timeout'], ['search', 'timed out'], ['ids', '1']]) {
      const run = await opsdeck(['dlq', 'purge', `--${option}`, value ?? '', '--before', later, '--dry-run', ...common]);
      assert.equal(run.code, 2, `--${option}: ${run.stdout}`);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        new RegExp(`^opsdeck: dlq purge takes no --${option}: it deletes every dead letter resolved before --before, whatever its class, service, group or error \\(dlq purge takes --before, --dry-run\\); see opsdeck dlq --help$`, 'm'),
      );
    }
    const purge = await opsdeck(['dlq', 'purge', '--class', 'timeout', '--before', later, ...common]);
    assert.equal(purge.code, 2);
    assert.equal(ok(await opsdeck(['dlq', 'purge', '--before', later, '--dry-run', ...common])), 'would purge 2 dead letters; run again without --dry-run to do it\n', 'nothing was purged');
  });

  it('groups takes --search and --service, and points a selector it does not take to list', async () => {
    const run = await opsdeck(['dlq', 'groups', '--class', 'timeout', ...common]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^opsdeck: dlq groups takes no --class: opsdeck dlq list --class … lists the dead letters it picks \(dlq groups takes --search, --service, --wide\); see opsdeck dlq --help$/m);
    assert.match((await opsdeck(['dlq', 'groups', '--fingerprint', 'fp-timeout', ...common])).stderr, /^opsdeck: dlq groups takes no --fingerprint: opsdeck dlq list --fingerprint … lists/m);
    assert.equal(ok(await opsdeck(['dlq', 'groups', '--service', 'payments', ...common])).trim(), 'no dead letters match');
  });

  it('the others name what they take', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['dlq', 'retry', '--class', 'timeout', '--before', '30d'], /^opsdeck: dlq retry takes no --before \(dlq retry takes --fingerprint, --search, --service, --class, --ids, --all, --dry-run\); see opsdeck dlq --help$/m],
      [['dlq', 'resolve', '--all', '--note', 'x', '--limit', '5'], /^opsdeck: dlq resolve takes no --limit \(/m],
      [['dlq', 'list', '--note', 'x'], /^opsdeck: dlq list takes no --note \(dlq list takes --fingerprint, --search, --service, --class, --ids, --limit, --after, --wide\); see opsdeck dlq --help$/m],
      [['dlq', '--dry-run'], /^opsdeck: dlq list takes no --dry-run \(/m],
    ];
    for (const [args, said] of cases) {
      const run = await opsdeck([...args, ...common]);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, said);
    }
  });
});
