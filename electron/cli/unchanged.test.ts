import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { currentActor, formatActor } from '../api/actor.ts';
import { openStore } from '../store/open.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { ok, opsdeck, type Run } from './testing/opsdeck.ts';

/**
 * Operator commands asking for what is already so, run as an operator runs them, on both stores: each
 * says plainly that nothing changed and writes no audit row; a workflow run that completed or failed is refused.
 */

const REGISTRY = [
  'services:',
  '  - name: step',
  '    execution_type: noop',
  '  - name: broken',
  '    execution_type: noop',
  '    runner_config: { fail: true, fail_retryable: false, fail_message: "upstream said no" }',
  'workflows:',
  '  - name: pair',
  '    tasks:',
  '      - { name: first, service: step }',
  '      - { name: second, service: step, depends_on: [first] }',
  '  - name: doomed',
  '    tasks:',
  '      - { name: first, service: broken }',
  '      - { name: second, service: step, depends_on: [first] }',
  '',
].join('\n');

const ME = formatActor(currentActor());
const Audit = z.object({ entries: z.array(z.object({ action: z.string(), actor: z.string(), details: z.unknown() })) });

function refused(run: Run): string {
  assert.equal(run.code, 1, `exit 1 expected; stdout: ${run.stdout}; stderr: ${run.stderr}`);
  assert.equal(run.stdout, '');
  return run.stderr.trim();
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unchangedSuite(dialect: string, newStore: () => Promise<{ db: string; drop(): Promise<void> }>): void {
  // Each case spawns real processes that mostly wait on I/O: two at a time halves the wall time.
  describe(`commands that change nothing, on ${dialect}`, { concurrency: 2 }, () => {
    let dir: string;
    let registry: string;
    let drops: Array<() => Promise<void>> = [];

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'opsdeck-cli-unchanged-'));
      registry = join(dir, 'registry.yaml');
      await writeFile(registry, REGISTRY);
    });
    after(async () => {
      for (const drop of drops) await drop();
      drops = [];
      await rm(dir, { recursive: true, force: true });
    });

    async function store(): Promise<string[]> {
      const made = await newStore();
      drops.push(made.drop);
      const common = ['--db', made.db, '--registry', registry];
      ok(await opsdeck(['migrate', ...common]));
      return common;
    }

    async function audit(common: string[]): Promise<z.infer<typeof Audit>['entries']> {
      return Audit.parse(JSON.parse(ok(await opsdeck(['audit', '--json', ...common])))).entries;
    }

    it('resume, safe-mode off and unpause with nothing to undo say so, exit 0 and write no audit row', async () => {
      const common = await store();
      for (let i = 0; i < 2; i++) {
        assert.match(ok(await opsdeck(['resume', ...common])), /^the emergency stop was not engaged; nothing changed\nemergency stop: off$/m);
      }
      assert.match(ok(await opsdeck(['safe-mode', 'off', ...common])), /^safe mode was not on; nothing changed$/m);
      assert.match(ok(await opsdeck(['safe-mode', '--disable', ...common])), /^safe mode was not on; nothing changed$/m);
      assert.match(ok(await opsdeck(['unpause', 'default', ...common])), /^queue default was not paused; nothing changed$/m);
      const json = calls['control.resume'].output.parse(JSON.parse(ok(await opsdeck(['resume', '--json', ...common]))));
      assert.deepEqual([json.changed, json.note], [false, 'the emergency stop was not engaged; nothing changed']);
      assert.deepEqual(await audit(common), []);
    });

    it('an emergency stop, safe mode or pause already in force says who put it there and keeps its reason; only the first is audited', async () => {
      const common = await store();
      assert.match(ok(await opsdeck(['emergency-stop', '--reason', 'bad deploy', ...common])), /^emergency stop engaged: no job was running; 0 pending job\(s\) held; release it with: opsdeck resume$/m);
      const again = ok(await opsdeck(['emergency-stop', '--reason', 'another reason', ...common]));
      assert.match(again, new RegExp(`^the emergency stop was already engaged by ${escaped(ME)}; nothing changed$`, 'm'));
      assert.match(again, /^emergency stop: ENGAGED by .+ \(bad deploy\)$/m, 'the first reason stands');
      assert.match(ok(await opsdeck(['safe-mode', 'on', '--reason', 'draining', ...common])), /^safe mode on$/m);
      assert.match(ok(await opsdeck(['safe-mode', '--enable', ...common])), new RegExp(`^safe mode was already on \\(turned on by ${escaped(ME)}\\); nothing changed$`, 'm'));
      // A queue nothing uses yet: the refusal names the option that pauses it anyway, as the command line spells it.
      assert.match(refused(await opsdeck(['pause', 'nightly', ...common])), /^opsdeck: no queue named nightly: .*; pausing with --force pauses it all the same$/);
      assert.match(ok(await opsdeck(['pause', 'nightly', '--force', ...common])), /^queue nightly paused$/m);
      assert.match(ok(await opsdeck(['pause', 'nightly', ...common])), new RegExp(`^queue nightly was already paused by ${escaped(ME)}; nothing changed$`, 'm'));
      assert.deepEqual(
        (await audit(common)).map((e) => e.action),
        ['queue.pause', 'control.safe_mode', 'control.emergency_stop'],
        'each repeat left the audit log alone',
      );

      assert.match(ok(await opsdeck(['resume', ...common])), /^emergency stop released$/m);
      assert.match(ok(await opsdeck(['resume', ...common])), /^the emergency stop was not engaged; nothing changed$/m);
      assert.equal((await audit(common)).filter((e) => e.action === 'control.resume').length, 1);
    });

    it('cancel run twice on a running job says when and by whom the cancel was asked, and audits it once', async () => {
      const common = await store();
      const enqueued = z.object({ id: z.number() }).parse(JSON.parse(ok(await opsdeck(['enqueue', 'step', '--identifier', 'invoice-42', '--json', ...common]))));
      const db = await openStore(common[1] ?? '');
      try {
        assert.equal((await db.claim({ workerId: 'w1', limit: 1, leaseMs: 600_000 })).length, 1, 'the job runs under a worker');
      } finally {
        await db.close();
      }
      assert.match(ok(await opsdeck(['cancel', 'invoice-42', '--reason', 'wrong customer', ...common])), new RegExp(`^job ${enqueued.id} is running: its worker stops it now$`, 'm'));
      const again = ok(await opsdeck(['cancel', String(enqueued.id), ...common]));
      assert.match(
        again,
        new RegExp(`^job ${enqueued.id}: cancel already requested at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\S* \\(\\d+s ago\\) by ${escaped(ME)} \\(wrong customer\\); nothing changed$`, 'm'),
      );
      const json = calls['jobs.cancel'].output.parse(JSON.parse(ok(await opsdeck(['cancel', String(enqueued.id), '--json', ...common]))));
      assert.deepEqual([json.changed, json.cancel_request?.by, json.cancel_request?.reason], [false, ME, 'wrong customer']);
      assert.equal((await audit(common)).filter((e) => e.action === 'job.cancel').length, 1);
    });

    it('workflow cancel of a run that completed or failed is refused with exit 1, of one cancelled already says so with exit 0, and neither is audited', async () => {
      const common = await store();
      ok(await opsdeck(['workflow', 'run', 'pair', '--identifier', 'done', ...common]));
      ok(await opsdeck(['workflow', 'run', 'doomed', '--identifier', 'broke', ...common]));
      ok(await opsdeck(['worker', '--until-empty', ...common]));
      const runs = calls['workflows.runs'].output.parse(JSON.parse(ok(await opsdeck(['workflow', 'runs', '--json', ...common])))).runs;
      const idOf = (identifier: string) => runs.find((r) => r.identifier === identifier)?.id;
      assert.equal(refused(await opsdeck(['workflow', 'cancel', 'done', ...common])), `opsdeck: workflow run ${idOf('done')} (done) of pair is completed: nothing to cancel`);
      assert.equal(refused(await opsdeck(['workflow', 'cancel', 'broke', ...common])), `opsdeck: workflow run ${idOf('broke')} (broke) of doomed is failed: nothing to cancel`);

      ok(await opsdeck(['workflow', 'run', 'pair', '--identifier', 'unwanted', ...common]));
      assert.match(ok(await opsdeck(['workflow', 'cancel', 'unwanted', '--reason', 'wrong date', ...common])), /^cancelled 2 task\(s\) that had not started; 0 running task\(s\) asked to stop$/m);
      const twice = await opsdeck(['workflow', 'cancel', 'unwanted', ...common]);
      assert.equal(twice.code, 0, `a run cancelled already is what was asked: ${twice.stderr}`);
      assert.match(twice.stdout, /^workflow run \d+ \(unwanted\) of pair was already cancelled at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\S*; nothing changed$/m);
      assert.deepEqual((await audit(common)).filter((e) => e.action === 'workflow.cancel').map((e) => e.details), [{ reason: 'wrong date', cancelled: 2, stopping: 0 }]);
    });

    it('breaker open, close, auto or reset of one breaker already so says so, exits 0 and writes no audit row', async () => {
      const common = await store();
      assert.match(ok(await opsdeck(['breaker', 'auto', 'step', ...common])), /^breaker step: already in auto; nothing changed$/m);
      assert.match(ok(await opsdeck(['breaker', 'reset', 'step', ...common])), /^breaker step: already closed with nothing to clear; nothing changed$/m);
      assert.deepEqual(await audit(common), []);
      assert.match(ok(await opsdeck(['breaker', 'open', 'step', '--reason', 'vendor outage', ...common])), /^breaker step: open, forced open \(auto: closed\)$/m);
      assert.match(
        ok(await opsdeck(['breaker', 'open', 'step', '--reason', 'another', ...common])),
        new RegExp(`^breaker step: already forced open \\(by ${escaped(ME)} \\d{4}-\\S+ \\S+: vendor outage\\); nothing changed$`, 'm'),
      );
      assert.match(ok(await opsdeck(['breaker', 'close', 'step', ...common])), /^breaker step: closed, forced closed \(auto: closed\)$/m);
      assert.match(ok(await opsdeck(['breaker', 'close', 'step', ...common])), /^breaker step: already forced closed \(by .+\); nothing changed$/m);
      const json = calls['breakers.setMode'].output.parse(JSON.parse(ok(await opsdeck(['breaker', 'close', 'step', '--json', ...common]))));
      assert.deepEqual([json.changed, json.mode], [false, 'force_closed']);
      assert.deepEqual((await audit(common)).map((e) => e.action), ['breaker.force_closed', 'breaker.force_open'], 'each repeat left the audit log alone');
    });
  });
}

let sqliteDir: string;
before(async () => {
  sqliteDir = await mkdtemp(join(tmpdir(), 'opsdeck-cli-unchanged-db-'));
});
after(async () => {
  await rm(sqliteDir, { recursive: true, force: true });
});

let files = 0;
unchangedSuite('SQLite', async () => ({ db: join(sqliteDir, `store-${++files}.db`), drop: async () => undefined }));

unchangedSuite('PostgreSQL', async () => {
  const pg: TestDatabase = await createTestDatabase();
  return { db: pg.url, drop: () => pg.drop() };
});
