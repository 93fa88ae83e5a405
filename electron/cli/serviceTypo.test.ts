import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open.ts';
import { opsdeck } from './testing/opsdeck.ts';

const MEANT = /did you mean payments\?/;

describe('--service with a name nothing knows says the one likely meant, on every command that takes it (the real command)', () => {
  let dir = '';
  let common: string[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-typo-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: payments\n    execution_type: noop\n  - name: reports\n    execution_type: noop\n');
    const db = join(dir, 'typo.db');
    // One open dead letter of payments: a filter naming it finds something, a typo of it finds nothing.
    const store = await openStore(db);
    try {
      await store.enqueue([{ queue: 'default', service_name: 'payments', execution_type: 'noop', max_attempts: 1, payload: {} }]);
      const [claimed] = await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
      assert.ok(claimed);
      await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w1', kind: 'failed', outcome: 'failed', error: { message: 'upstream said no', error_class: 'config', fingerprint: 'f' } }]);
    } finally {
      await store.close();
    }
    common = ['--db', db, '--registry', registry];
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('dlq list, groups, retry and resolve, and performance, say it beside their empty answer', async () => {
    for (const command of [['dlq', 'list'], ['dlq', 'groups'], ['dlq', 'retry', '--dry-run'], ['dlq', 'resolve', '--dry-run'], ['performance']]) {
      const run = await opsdeck([...command, '--service', 'paymnts', ...common]);
      assert.match(run.stderr, /opsdeck: no service named paymnts \(did you mean payments\?\): neither the registry nor any job, breaker or worker names it; known: payments, reports/, command.join(' '));
    }
    const right = await opsdeck(['dlq', 'list', '--service', 'payments', ...common]);
    assert.equal(right.code, 0, right.stderr);
    assert.doesNotMatch(right.stderr, MEANT, 'a service that matched is not questioned');
  });

  it('schedule add refuses it naming the one likely meant', async () => {
    const run = await opsdeck(['schedule', 'add', 'nightly', '--service', 'paymnts', '--cron', '0 3 * * *', ...common]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /service paymnts is not in the registry \(did you mean payments\? known: payments, reports\)/);
  });
});
