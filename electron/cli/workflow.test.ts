import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { calls } from '../../shared/contract.ts';
import { ok, opsdeck, type Run } from './testing/opsdeck.ts';

function json(run: Run): unknown {
  assert.equal(run.code, 0, `exit 0 expected; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('opsdeck workflow', () => {
  let dir: string;
  let common: string[];
  let gate: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-cli-workflow-'));
    gate = join(dir, 'gate');
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: step',
        '    execution_type: noop',
        '  - name: gated',
        '    execution_type: shell',
        `    runner_config: { command: ["/usr/bin/test", "-e", "${gate}"] }`,
        '    security_policy: { allowed_commands: ["/usr/bin/test"] }',
        '    retry_config: { max_retries: 0 }',
        '  - name: shouting',
        '    execution_type: shell',
        '    runner_config: { command: ["/bin/sh", "-c", "for i in $(seq 1 12); do echo line $i; done; echo cannot reach the warehouse; exit 3"] }',
        '    security_policy: { allowed_commands: ["/bin/sh"] }',
        '    retry_config: { max_retries: 0 }',
        'workflows:',
        '  - name: etl',
        '    tasks:',
        '      - { name: extract, service: step }',
        '      - { name: transform, service: gated, depends_on: [extract] }',
        '      - { name: load, service: step, depends_on: [transform] }',
        '  - name: loud',
        '    tasks:',
        '      - { name: shout, service: shouting }',
        '      - { name: after, service: step, depends_on: [shout] }',
        '  - name: hurried',
        '    stuck_after: 1s',
        '    tasks:',
        '      - { name: only, service: step }',
        '',
      ].join('\n'),
    );
    common = ['--db', join(dir, 'cli.db'), '--registry', registry];
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a workflow, shows the failed task and what it blocks, and finishes it after a retry of that task', async () => {
    const started = z.object({ run_id: z.number(), created: z.boolean() }).parse(json(await opsdeck(['workflow', 'run', 'etl', '--identifier', 'cli-1', '--json', ...common])));
    assert.equal(started.created, true);
    const again = await opsdeck(['workflow', 'run', 'etl', '--identifier', 'cli-1', ...common]);
    assert.match(again.stdout, /exists already: nothing new started/);

    assert.equal((await opsdeck(['worker', '--until-empty', ...common])).code, 0);
    const blocked = calls['workflows.show'].output.parse(json(await opsdeck(['workflow', 'show', 'cli-1', '--json', ...common])));
    assert.deepEqual(blocked.tasks.map((t) => [t.name, t.status]), [['extract', 'completed'], ['transform', 'failed'], ['load', 'blocked']]);
    const shown = await opsdeck(['workflow', 'show', String(started.run_id), ...common]);
    assert.match(shown.stdout, /load .* blocked .* upstream task 'transform' failed/);
    assert.match(shown.stdout, new RegExp(`opsdeck workflow retry ${started.run_id} runs it again`));
    const status = await opsdeck(['status', ...common]);
    assert.match(status.stdout, /workflow tasks: 0 waiting for their upstream tasks, 1 blocked by a failed upstream/);

    await writeFile(gate, '');
    const retried = await opsdeck(['workflow', 'retry', String(started.run_id), ...common]);
    assert.match(retried.stdout, /retried 1 task\(s\)/);
    assert.equal((await opsdeck(['worker', '--until-empty', ...common])).code, 0);
    const done = calls['workflows.show'].output.parse(json(await opsdeck(['workflow', 'show', 'cli-1', '--json', ...common])));
    assert.equal(done.run.status, 'completed');
    assert.deepEqual(done.tasks.map((t) => t.attempts), [1, 1, 1]);

    const nothing = await opsdeck(['workflow', 'retry', 'cli-1', ...common]);
    assert.equal(nothing.code, 1);
    assert.equal(nothing.stdout, '');
    assert.match(nothing.stderr, new RegExp(`^opsdeck: workflow run ${started.run_id} \\(cli-1\\) of etl is completed: it has no failed or cancelled task to retry$`, 'm'));

    const runs = await opsdeck(['workflow', 'runs', '--status', 'completed', ...common]);
    assert.match(runs.stdout, /cli-1 +etl +completed +3 completed/);
  });

  it('show says why each task of a cancelled run was cancelled, as the console does', async () => {
    const started = z.object({ run_id: z.number() }).parse(json(await opsdeck(['workflow', 'run', 'etl', '--identifier', 'cli-cancel', '--json', ...common])));
    assert.match(ok(await opsdeck(['workflow', 'cancel', String(started.run_id), '--reason', 'wrong day', ...common])), /cancelled 3 task\(s\) that had not started/);
    const shown = ok(await opsdeck(['workflow', 'show', 'cli-cancel', ...common]));
    for (const task of ['extract', 'transform', 'load']) assert.match(shown, new RegExp(`^${task} .* cancelled .* cancelled because an operator cancelled the run$`, 'm'));
  });

  it('workflow runs --stuck lists the runs REST calls stuck; status counts them apart from stuck jobs', async () => {
    const own = ['--db', join(dir, 'stuck.db'), ...common.slice(2)];
    // A read command answers from a store that is there, not a new one.
    ok(await opsdeck(['migrate', '--db', join(dir, 'stuck.db')]));
    const none = await opsdeck(['workflow', 'runs', '--stuck', ...own]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^no stuck workflow runs/);
    const started = z.object({ run_id: z.number() }).parse(json(await opsdeck(['workflow', 'run', 'hurried', '--json', ...own])));
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const stuck = await opsdeck(['workflow', 'runs', '--stuck', ...own]);
    assert.equal(stuck.code, 0, stuck.stderr);
    assert.match(stuck.stdout, new RegExp(`^ +${started.run_id} .* hurried +running \\(stuck\\)`, 'm'));
    assert.equal(ok(await opsdeck(['workflow', 'runs', '--status', 'stuck', ...own])), stuck.stdout);
    const listed = calls['workflows.stuck'].output.parse(json(await opsdeck(['workflow', 'runs', '--stuck', '--json', ...own])));
    assert.deepEqual(listed.runs.map((r) => r.id), [started.run_id]);
    assert.match(ok(await opsdeck(['workflow', 'runs', '--stuck', '--workflow', 'etl', ...own])), /^no stuck workflow runs/);

    const status = ok(await opsdeck(['status', ...own]));
    assert.match(status, /stuck jobs 0 {2}stuck workflow runs 1/);
    assert.match(status, /workflow runs --stuck lists them/);
  });

  it('workflow show says why a pending task waits, as opsdeck job says it, in the text and the JSON', async () => {
    const own = ['--db', join(dir, 'waiting.db'), ...common.slice(2)];
    const started = z.object({ run_id: z.number() }).parse(json(await opsdeck(['workflow', 'run', 'etl', '--json', ...own])));
    ok(await opsdeck(['pause', 'default', '--reason', 'maintenance', ...own]));
    const text = ok(await opsdeck(['workflow', 'show', String(started.run_id), ...own]));
    assert.match(text, /^extract +\d+ +pending .*queue default is paused by \S+: maintenance \(opsdeck unpause default\)/m, text);
    const detail = calls['workflows.show'].output.parse(json(await opsdeck(['workflow', 'show', String(started.run_id), '--json', ...own])));
    const extract = detail.tasks.find((t) => t.name === 'extract');
    const transform = detail.tasks.find((t) => t.name === 'transform');
    assert.ok(extract?.waiting.some((w) => w.startsWith('queue default is paused')), JSON.stringify(extract));
    assert.deepEqual(transform?.waiting, [], 'a task waiting for its dependencies is not pending: nothing holds its job');
  });

  it('workflow runs pages past --limit with a more: line, so older runs are not silently left out', async () => {
    const own = ['--db', join(dir, 'paged.db'), ...common.slice(2)];
    for (const id of ['p-1', 'p-2', 'p-3']) ok(await opsdeck(['workflow', 'run', 'hurried', '--identifier', id, ...own]));
    const first = ok(await opsdeck(['workflow', 'runs', '--limit', '2', ...own]));
    assert.match(first, /p-3/);
    assert.match(first, /p-2/);
    assert.doesNotMatch(first, /p-1/);
    const more = /^more: opsdeck (.+)$/m.exec(first)?.[1];
    assert.ok(more, `a more: line expected in ${first}`);
    const second = ok(await opsdeck(more.split(' ')));
    assert.match(second, /p-1/);
    assert.doesNotMatch(second, /p-[23]|more:/);
    const stuck = await opsdeck(['workflow', 'runs', '--stuck', '--limit', '2', ...own]);
    assert.equal(stuck.code, 2);
    assert.match(stuck.stderr, /--stuck lists every stuck run at once/);
  });

  it("workflow show prints a failed task's output, its last lines, before the retry that runs it again", async () => {
    const own = ['--db', join(dir, 'loud.db'), ...common.slice(2)];
    ok(await opsdeck(['workflow', 'run', 'loud', '--identifier', 'loud-1', ...own]));
    assert.equal((await opsdeck(['worker', '--until-empty', ...own])).code, 0);
    const shown = ok(await opsdeck(['workflow', 'show', 'loud-1', ...own]));
    assert.match(shown, /\noutput of shout \(job 1, attempt #1, its last 10 lines; opsdeck job 1 has the whole tail\):\nline 4\n[^]*line 12\ncannot reach the warehouse\n\nshout failed: opsdeck workflow retry 1 runs it again/);
    assert.doesNotMatch(shown, /line 3\n/);
  });

  it('says what is wrong with a bad subcommand, payload, status, run or workflow name', async () => {
    const bad = await opsdeck(['workflow', 'launch', ...common]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /workflow takes list, run, runs, stats, show, retry or cancel, not "launch"/);
    const payload = await opsdeck(['workflow', 'run', 'etl', '--payload', '[1]', ...common]);
    assert.equal(payload.code, 2);
    assert.match(payload.stderr, /--payload must be a JSON object, such as \{"date": "2026-12-04"\}, not an array/);
    const status = await opsdeck(['workflow', 'runs', '--status', 'lost', ...common]);
    assert.match(status.stderr, /^opsdeck: --status: "lost" is no status; the statuses are running, completed, failed, cancelled, stuck;/);
    // The runbooks' words, answered as jobs --status answers them; queued is no state a run is in.
    const theirs = await opsdeck(['workflow', 'runs', '--status', 'in_progress', ...common]);
    assert.equal(theirs.code, 2);
    assert.match(theirs.stderr, /^opsdeck: --status: "in_progress" is no status \(opsdeck calls it running\); the statuses are running, /);
    assert.match((await opsdeck(['workflow', 'runs', '--status', 'queued', ...common])).stderr, /^opsdeck: --status: "queued" is no status; the statuses are /);
    const own = ['--db', join(dir, 'typo.db'), ...common.slice(2)];
    ok(await opsdeck(['migrate', '--db', join(dir, 'typo.db')]));
    for (const args of [['runs', '--workflow', 'etll'], ['runs', '--stuck', '--workflow', 'etll'], ['stats', '--workflow', 'etll']]) {
      const typo = await opsdeck(['workflow', ...args, ...own]);
      assert.equal(typo.code, 0, 'an empty answer, as it is');
      assert.match(typo.stdout, /^no /);
      assert.match(typo.stderr, /^opsdeck: no workflow named etll in the registry loaded here \(did you mean etl\? known: etl, /, args.join(' '));
    }
    assert.equal((await opsdeck(['workflow', 'runs', '--workflow', 'hurried', '--status', 'cancelled', ...own])).stderr, '', 'a known workflow with no such runs is no mistake');
    const run = await opsdeck(['workflow', 'run', 'etll', ...own]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^opsdeck: workflow etll is not in the registry \(did you mean etl\? known: etl, loud, hurried\)/);
    const missing = await opsdeck(['workflow', 'show', 'no-such-run', ...common]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no workflow run "no-such-run"/);
  });
});
