import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

// The runbook's failure: its start names what failed, its end says where to fix it.
const ERROR = 'environment variable WALK_API_TOKEN is not set on this worker: the service reads it from the environment, so set it where the workers run';

// A workflow task's job: its run's identifier, then the task's name, which tells it from its siblings.
const TASK_JOB = 'slow_flow-mxdo6jid0001044d9ae6/extract_data';

describe('tables with an error column fit the terminal, and --wide cuts nothing (the real command)', () => {
  let dir = '';
  let db = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-wide-'));
    db = join(dir, 'wide.db');
    const store = await openStore(db);
    try {
      await store.enqueue([{ queue: 'default', service_name: 'walk', execution_type: 'noop', max_attempts: 1, payload: {}, identifier: TASK_JOB }]);
      const [claimed] = await store.claim({ workerId: 'w1', limit: 1, leaseMs: 60_000 });
      assert.ok(claimed);
      const error = { message: ERROR, error_class: 'config', fingerprint: 'f' };
      await store.settle([{ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: 'w1', kind: 'failed', outcome: 'failed', error }]);
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const commands = [['jobs'], ['dlq', 'list'], ['errors'], ['job', '1'], ['diagnose']];

  it('piped with no $COLUMNS, cuts a long error in its middle, between words, its named variable kept whole', async () => {
    for (const command of commands) {
      const out = ok(await opsdeck([...command, '--db', db], { COLUMNS: undefined }));
      // `job` says the error whole above its attempts table: the table's row is the last.
      const line = out.split('\n').findLast((l) => l.includes('environment variable'));
      assert.ok(line, `${command.join(' ')}: ${out}`);
      assert.match(line, /environment variable WALK_API_TOKEN .*… .*where the workers run$/, command.join(' '));
      assert.ok(!line.includes(ERROR), `${command.join(' ')} cuts it: ${line}`);
    }
  });

  it("cuts a long identifier before its task's name, which it keeps", async () => {
    for (const command of [['jobs'], ['dlq', 'list']]) {
      const out = ok(await opsdeck([...command, '--db', db], { COLUMNS: undefined }));
      assert.match(out, /^ +1 +slow_flow-mxdo6jid…\/extract_data +walk /m, command.join(' '));
      assert.ok(ok(await opsdeck([...command, '--db', db, '--wide'], { COLUMNS: undefined })).includes(TASK_JOB), `${command.join(' ')} --wide`);
    }
  });

  it('with a wide $COLUMNS, or --wide, shows the whole error', async () => {
    for (const command of commands) {
      assert.ok(ok(await opsdeck([...command, '--db', db], { COLUMNS: '300' })).includes(ERROR), `${command.join(' ')} with COLUMNS=300`);
      assert.ok(ok(await opsdeck([...command, '--db', db, '--wide'], { COLUMNS: undefined })).includes(ERROR), `${command.join(' ')} --wide`);
    }
    const breakers = await opsdeck(['breaker', 'list', '--wide', '--db', db]);
    assert.equal(breakers.code, 0, `breaker list takes --wide too: ${breakers.stderr}`);
  });
});
