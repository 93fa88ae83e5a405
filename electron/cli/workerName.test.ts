import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { HealthReport } from '../../shared/contract.ts';
import { LostWorkerLeases, RegistryDrift, WorkerInfo } from '../../shared/domain.ts';
import { BIN, ok, opsdeck } from './testing/opsdeck.ts';

/** A worker as an operator starts it, in a process of its own. */
function startWorker(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], { env: { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, output: () => output };
}

// --json prints the call's whole answer: what lost workers still hold beside the list.
const Workers = z.object({ workers: z.array(WorkerInfo), lost_leases: z.array(LostWorkerLeases), registry_drift: z.array(RegistryDrift) }).strict();

describe('opsdeck worker --name: the runbook\'s health-check worker:WATCHDOG', () => {
  let dir: string;
  let common: string[];
  let registry: string;
  const workers: Array<ReturnType<typeof startWorker>> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-worker-name-'));
    registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: report\n    execution_type: noop\n');
    common = ['--db', join(dir, 'o.db'), '--registry', registry];
    ok(await opsdeck(['migrate', ...common]));
  });

  after(async () => {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await rm(dir, { recursive: true, force: true });
  });

  it('two workers of one name are told apart by their ids, listed with the name, and checked together by it', async () => {
    workers.push(startWorker(['--name', 'watchdog', ...common]), startWorker(['--name', 'watchdog', ...common]), startWorker(common));
    const listed = async () => Workers.parse(JSON.parse(ok(await opsdeck(['workers', '--json', ...common])))).workers;
    const deadline = Date.now() + 30_000;
    let fleet = await listed();
    while (fleet.length < 3) {
      assert.ok(Date.now() < deadline, `three workers expected; got ${JSON.stringify(fleet)}\n${workers.map((w) => w.output()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
      fleet = await listed();
    }
    const named = fleet.filter((w) => w.name === 'watchdog');
    assert.equal(named.length, 2);
    for (const w of named) assert.match(w.id, /^watchdog-[0-9a-f]{8}$/, 'the id starts with the name');
    assert.notEqual(named[0]?.id, named[1]?.id);
    const unnamed = fleet.find((w) => w.name === null);
    assert.ok(unnamed, 'a worker started without --name has none');

    const table = ok(await opsdeck(['workers', ...common]));
    assert.match(table, /^WORKER +NAME +STATE/m);
    for (const w of named) assert.match(table, new RegExp(`^${w.id} +watchdog +running`, 'm'));
    assert.match(table, new RegExp(`^${unnamed.id} +- +running`, 'm'));

    // The runbook writes the name in capitals.
    const checked = await opsdeck(['health-check', 'worker:WATCHDOG', '--json', ...common]);
    assert.equal(checked.code, 0, checked.stderr);
    const report = HealthReport.parse(JSON.parse(checked.stdout));
    assert.deepEqual(report.checks.map((c) => c.name).sort(), named.map((w) => `worker:${w.id}`).sort());
    const one = HealthReport.parse(JSON.parse(ok(await opsdeck(['health-check', `worker:${named[0]?.id ?? ''}`, '--json', ...common]))));
    assert.equal(one.checks.length, 1);
    const nobody = await opsdeck(['health-check', 'worker:nobody', ...common]);
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /no worker nobody \(workers here: /);
  });

  it('a worker stopped cleanly fails worker:NAME and worker:ID with when it stopped and how to start it again, until a restart replaces it or it is forgotten', async () => {
    const own = ['--db', join(dir, 'stopped.db'), ...common.slice(2)];
    ok(await opsdeck(['migrate', '--db', join(dir, 'stopped.db')]));
    const listed = async () => Workers.parse(JSON.parse(ok(await opsdeck(['workers', '--json', ...own])))).workers;
    const until = async (what: string, done: (fleet: WorkerInfo[]) => boolean) => {
      const deadline = Date.now() + 30_000;
      for (let fleet = await listed(); !done(fleet); fleet = await listed()) {
        assert.ok(Date.now() < deadline, `${what}; got ${JSON.stringify(fleet)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const first = startWorker(['--name', 'watchdog', '--queues', 'default,reports', '--concurrency', '3', ...own]);
    workers.push(first);
    await until('the worker running', (fleet) => fleet.some((w) => w.state === 'running'));
    first.child.kill('SIGTERM');
    await first.exited;
    const [stopped] = await listed();
    assert.equal(stopped?.state, 'stopped', 'opsdeck workers lists it as stopped');
    const id = stopped.id;

    for (const name of ['worker:WATCHDOG', `worker:${id}`]) {
      const checked = await opsdeck(['health-check', name, ...own]);
      assert.equal(checked.code, 1, `${name}: a failing check, not a usage error; stderr: ${checked.stderr}`);
      assert.equal(checked.stderr, '');
      assert.match(
        checked.stdout,
        new RegExp(
          `^worker:${id} +FAIL +stopped at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\S* \\(its last heartbeat, \\d+s ago; ${stopped.host}, pid ${stopped.pid}\\): ` +
            `start it again on ${stopped.host} with opsdeck worker --name=watchdog --queues=default,reports --concurrency=3 --db=${join(dir, 'stopped.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --registry=${registry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
          'm',
        ),
      );
    }
    // The whole report and the workers check leave a worker stopped on purpose out: no outage of the fleet's.
    const whole = HealthReport.parse(JSON.parse((await opsdeck(['health-check', '--json', ...own])).stdout));
    assert.deepEqual(whole.checks.filter((c) => c.name.startsWith('worker')).map((c) => [c.name, c.ok]), [['workers', true]]);

    // A restart under the same name replaces it: the name checks the worker that runs.
    const second = startWorker(['--name', 'watchdog', ...own]);
    workers.push(second);
    await until('the restarted worker running', (fleet) => fleet.some((w) => w.state === 'running'));
    const restarted = HealthReport.parse(JSON.parse(ok(await opsdeck(['health-check', 'worker:WATCHDOG', '--json', ...own]))));
    assert.deepEqual(restarted.checks.map((c) => [c.name === `worker:${id}`, c.ok]), [[false, true]]);
    assert.equal((await opsdeck(['health-check', `worker:${id}`, ...own])).code, 1, 'by its id it is still the worker that stopped');

    ok(await opsdeck(['workers', 'forget', id, ...own]));
    const forgotten = await opsdeck(['health-check', `worker:${id}`, ...own]);
    assert.equal(forgotten.code, 2, 'a forgotten worker is a name no check has');
    assert.match(forgotten.stderr, new RegExp(`no worker ${id} \\(workers here: `));
  });

  it('a name that is not a plain word is refused before the worker starts', async () => {
    const run = await opsdeck(['worker', '--name', 'my watchdog', ...common]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^opsdeck: --name "my watchdog": a worker name is a letter, then letters, digits, _ \. - \(at most 40\), e\.g\. watchdog or etl-2/);
  });
});
