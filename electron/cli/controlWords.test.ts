import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { BIN, opsdeck, ok } from './testing/opsdeck.ts';

const REGISTRY = [
  'services:',
  '  - name: nap',
  '    execution_type: shell',
  '    queue: shellq',
  '    runner_config: { command: ["/bin/sleep", "60"] }',
  '    security_policy: { allowed_commands: ["/bin/sleep"] }',
  '  - name: payments',
  '    execution_type: noop',
  '',
].join('\n');

let dir: string;
let registry: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-control-'));
  registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A real worker on the store, stopped (SIGKILL) by the returned function. */
function startWorker(common: string[]): { worker: ChildProcess; kill: () => Promise<void> } {
  const worker = spawn(process.execPath, [BIN, 'worker', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => worker.on('close', resolve));
  return {
    worker,
    kill: async () => {
      worker.kill('SIGKILL');
      await exited;
    },
  };
}

const Workers = z.object({ workers: z.array(z.object({ id: z.string(), state: z.string() })) });

async function waitForWorkerState(common: string[], state: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { workers } = Workers.parse(JSON.parse(ok(await opsdeck(['workers', ...common, '--json']))));
    if (workers.length > 0 && workers.every((w) => w.state === state)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`the worker never said ${state}`);
}

describe('the control plane in the words an operator acts on', { concurrency: 2 }, () => {
  it('health-check workers with no worker at all is fine while nothing is due, and fails naming the due jobs and how to start one', async () => {
    const db = join(dir, 'noworker.db');
    const common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', '--db', db]));
    const idle = await opsdeck(['health-check', 'workers', ...common]);
    assert.equal(idle.code, 0, idle.stderr);
    assert.match(idle.stdout, /^workers +ok +no worker running; no job is due$/m);
    ok(await opsdeck(['enqueue', 'payments', ...common]));
    ok(await opsdeck(['enqueue', 'nap', ...common, '--run-at', new Date(Date.now() + 3_600_000).toISOString()]));
    const due = await opsdeck(['health-check', 'workers', ...common]);
    assert.equal(due.code, 1, 'unhealthy, as the dispatch check is');
    assert.match(due.stdout, /^workers +FAIL +no worker running, and jobs are due in queue default \(1 due\): nothing runs them; start one with opsdeck worker$/m);
    assert.match(due.stdout, /^unhealthy: 1 check\(s\) failing/m);
  });


  it('in safe mode a waiting job says safe mode holds it and how to lift it; the workers say held, not draining', async () => {
    const common = ['--db', join(dir, 'safe.db'), '--registry', registry];
    ok(await opsdeck(['migrate', '--db', join(dir, 'safe.db')]));
    const { kill } = startWorker(common);
    try {
      await waitForWorkerState(common, 'running');
      ok(await opsdeck(['safe-mode', '--enable', ...common]));
      const id = z.object({ id: z.number() }).parse(JSON.parse(ok(await opsdeck(['enqueue', 'payments', ...common, '--json'])))).id;
      await waitForWorkerState(common, 'held');
      const job = ok(await opsdeck(['job', String(id), ...common]));
      assert.match(job, /^waiting: +safe mode is on by \S+ \(opsdeck safe-mode off\)$/m);
      assert.doesNotMatch(job, /draining/, job);
      const fleet = ok(await opsdeck(['workers', ...common]));
      assert.match(fleet, /^\S+ +held +/m, fleet);
      assert.match(fleet, /^held: takes no new job and is not stopping, while safe mode is on by \S+ \(opsdeck safe-mode off\)$/m);
      const health = await opsdeck(['health-check', 'worker', ...common]);
      assert.match(health.stdout, /held, 0 in flight, heartbeat \d+s ago; not stopping: it takes no new job while safe mode is on by \S+ \(opsdeck safe-mode off\)$/m);
      ok(await opsdeck(['safe-mode', 'off', ...common]));
      await waitForWorkerState(common, 'running');
    } finally {
      await kill();
    }
  });

  it('an emergency stop says how many running jobs it asked to stop and pending ones it held, and what becomes of them', async () => {
    const db = join(dir, 'stop.db');
    const common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', '--db', db]));
    const Id = z.object({ id: z.number() });
    const sleeping = Id.parse(JSON.parse(ok(await opsdeck(['enqueue', 'nap', ...common, '--json'])))).id;
    const { kill } = startWorker(common);
    try {
      const Jobs = z.object({ jobs: z.array(z.object({ id: z.number(), status: z.string(), attempts: z.number() })) });
      const job = async () => {
        const found = Jobs.parse(JSON.parse(ok(await opsdeck(['jobs', '--service', 'nap', ...common, '--json'])))).jobs.find((j) => j.id === sleeping);
        return { status: found?.status, attempts: found?.attempts };
      };
      for (let i = 0; i < 200 && (await job()).status !== 'running'; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await job()).status, 'running');
      ok(await opsdeck(['enqueue', 'payments', ...common, '--run-at', new Date(Date.now() + 3_600_000).toISOString()]));
      const stop = ok(await opsdeck(['emergency-stop', '--reason', 'runbook 000', ...common]));
      assert.match(
        stop,
        /^emergency stop engaged: 1 running job\(s\) asked to stop, back to pending with their attempt not spent, to run again once released; 1 pending job\(s\) held; release it with: opsdeck resume$/m,
      );
      // Its audit row says the same counts, read in the stop's transaction.
      const Audit = z.object({ entries: z.array(z.object({ job_count: z.number().nullable(), details: z.record(z.string(), z.unknown()).nullable() })) });
      const [row] = Audit.parse(JSON.parse(ok(await opsdeck(['audit', '--action', 'control.emergency_stop', '--json', ...common])))).entries;
      assert.equal(row?.job_count, 2);
      assert.deepEqual(row?.details, { engaged: true, reason: 'runbook 000', running_asked_to_stop: 1, running_by_service: { nap: 1 }, pending_held: 1 });
      // As it says: the sleep goes back to pending, its attempt given back.
      for (let i = 0; i < 200 && (await job()).status !== 'pending'; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await job(), { status: 'pending', attempts: 0 });
      const again = ok(await opsdeck(['emergency-stop', ...common]));
      assert.match(again, /^the emergency stop was already engaged by \S+; nothing changed$/m, 'a stop already engaged stopped nothing, and says no count');
      ok(await opsdeck(['resume', ...common]));
      const json = z.object({ stopped: z.object({ running: z.number(), running_fail_on_interrupt: z.number(), pending: z.number() }) });
      assert.deepEqual(json.parse(JSON.parse(ok(await opsdeck(['emergency-stop', '--json', ...common])))).stopped.pending, 1);
    } finally {
      await kill();
    }
  });

  it("unpausing a queue is audited as queue.unpause, apart from the emergency stop's release; a filter by the old name finds it", async () => {
    const db = join(dir, 'unpause.db');
    const common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', '--db', db]));
    ok(await opsdeck(['pause', 'shellq', ...common]));
    ok(await opsdeck(['unpause', 'shellq', ...common]));
    ok(await opsdeck(['emergency-stop', ...common]));
    ok(await opsdeck(['resume', ...common]));
    const Audit = z.object({ entries: z.array(z.object({ action: z.string(), target: z.string().nullable() })) });
    const actions = async (...filter: string[]) => Audit.parse(JSON.parse(ok(await opsdeck(['audit', ...filter, ...common, '--json'])))).entries.map((e) => [e.action, e.target]);
    assert.deepEqual(await actions(), [['control.resume', null], ['control.emergency_stop', null], ['queue.unpause', 'shellq'], ['queue.pause', 'shellq']]);
    assert.deepEqual(await actions('--action', 'queue.unpause'), [['queue.unpause', 'shellq']]);
    assert.deepEqual(await actions('--action', 'queue.resume'), [['queue.unpause', 'shellq']], 'a script written against the old name still finds it');
  });
});
