import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/opsdeck.js', import.meta.url));

function opsdeck(args: string[], tz: string): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined, NO_COLOR: '1', TZ: tz };
  const run = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('opsdeck schedule: add, list in both zones, run-now, pause, show, remove; mistakes say what is wrong', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-schedule-'));
  try {
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: report\n    execution_type: noop\n');
    const common = ['--db', join(dir, 'o.db'), '--registry', registry];
    const run = (args: string[]) => opsdeck([...args, ...common], 'America/Los_Angeles');

    const added = run(['schedule', 'add', 'nightly', '--service', 'report', '--cron', '30 2 * * *', '--timezone', 'Europe/Berlin', '--missed', 'catch_up', '--max-catch-up', '3']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /schedule nightly added/);
    assert.doesNotMatch(added.stderr, /no registry loaded/, 'checked against the registry given');

    const list = run(['schedule', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /nightly {2}operator {2}service report {2}cron "30 2 \* \* \*" Europe\/Berlin {2}missed: catch_up \(at most 3\)/);
    const nextLines = list.stdout.split('\n').filter((l) => /\(Europe\/Berlin\) = .* here/.test(l));
    assert.equal(nextLines.length, 3, `three next fires, each in both zones:\n${list.stdout}`);
    for (const line of nextLines) {
      assert.match(line, / 02:30:00\+0[12]:00 \(Europe\/Berlin\) = \d{4}-\d\d-\d\d 1[78]:30:00-0[78]:00 here/, 'Berlin 02:30 is 17:30 or 18:30 the evening before in Los Angeles');
    }

    const now = run(['schedule', 'run-now', 'nightly']);
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, /job 1 enqueued \(schedule:nightly:run-now:/);

    const paused = run(['schedule', 'pause', 'nightly', '--reason', 'month-end freeze']);
    assert.match(paused.stdout, /paused by .* \(month-end freeze\)/);
    assert.match(paused.stdout, /next {3}- \(fires nothing/);

    const pausedAgain = run(['schedule', 'pause', 'nightly']);
    assert.equal(pausedAgain.code, 0, pausedAgain.stderr);
    assert.match(pausedAgain.stdout, /^nightly is already paused \(by .*\): nothing to pause$/m);
    assert.doesNotMatch(pausedAgain.stdout, /schedule nightly paused/);

    const show = run(['schedule', 'show', 'nightly', '--json']);
    const shown = JSON.parse(show.stdout);
    assert.equal(shown.schedule.paused, true);
    assert.deepEqual(shown.fires.map((f: { trigger: string; job_id: number }) => [f.trigger, f.job_id]), [['manual', 1]]);

    run(['emergency-stop', '--reason', 'test']);
    assert.match(run(['schedule', 'list']).stderr, /emergency stop engaged: schedules fire nothing/);
    run(['resume']);

    const badCron = run(['schedule', 'add', 'x', '--service', 'report', '--cron', '0 0 31 2 *']);
    assert.equal(badCron.code, 2);
    assert.match(badCron.stderr, /cron '0 0 31 2 \*' never fires/);
    const shortCron = run(['schedule', 'add', 'x', '--service', 'report', '--cron', '*/5 * * *']);
    assert.equal(shortCron.code, 2);
    assert.match(shortCron.stderr, /^opsdeck: --cron: cron needs 5 fields \(minute hour day-of-month month day-of-week\), or 6 with seconds first; got 4: \*\/5 \* \* \*$/m);
    const badZone = run(['schedule', 'add', 'x', '--service', 'report', '--cron', '@daily', '--timezone', 'Berlin']);
    assert.equal(badZone.code, 2);
    assert.match(badZone.stderr, /^opsdeck: --timezone: 'Berlin' is not a time zone: did you mean Europe\/Berlin\?$/m);
    const unknown = run(['schedule', 'add', 'x', '--service', 'nope', '--cron', '@daily']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /service nope is not in the registry \(known: report\)/);
    const unchecked = opsdeck(['schedule', 'add', 'blind', '--service', 'ghost', '--cron', '@daily', '--db', join(dir, 'o.db')], 'UTC');
    assert.equal(unchecked.code, 0, unchecked.stderr);
    assert.match(unchecked.stderr, /^opsdeck: warning: no registry loaded: pass --registry FILE \(or set OPSDECK_REGISTRY\); service ghost and the payload were not checked against one; a worker whose registry lacks it leaves the schedule unfired$/m);
    assert.equal(run(['schedule', 'remove', 'blind']).code, 0);
    assert.equal(run(['schedule', 'fly']).code, 2);

    assert.match(run(['schedule', 'resume', 'nightly']).stdout, /^schedule nightly resumed from its next fire$/m);
    const resumedAgain = run(['schedule', 'resume', 'nightly']);
    assert.equal(resumedAgain.code, 0, resumedAgain.stderr);
    assert.match(resumedAgain.stdout, /^nightly is not paused: nothing to resume$/m);
    assert.doesNotMatch(resumedAgain.stdout, /schedule nightly resumed/);
    assert.equal(run(['schedule', 'add', 'off', '--service', 'report', '--cron', '@daily', '--disabled']).code, 0);
    const disabled = run(['schedule', 'resume', 'off']);
    assert.match(disabled.stdout, /^off was added disabled: resuming does not fire it; remove it and add it again enabled$/m);
    assert.doesNotMatch(disabled.stdout, /schedule off resumed/);
    run(['schedule', 'remove', 'off']);
    const resumes = JSON.parse(run(['audit', '--action', 'schedule.resume', '--json']).stdout).entries;
    assert.equal(resumes.length, 1, 'only the resume that changed something is audited');

    const removed = run(['schedule', 'remove', 'nightly']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(run(['schedule', 'list']).stdout, /no schedules/);
    const gone = run(['schedule', 'remove', 'nightly']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no schedule named nightly/);

    const audit = run(['audit', '--json']);
    const actions = JSON.parse(audit.stdout).entries.map((e: { action: string }) => e.action);
    for (const action of ['schedule.add', 'schedule.run_now', 'schedule.pause', 'schedule.remove']) assert.ok(actions.includes(action), `${action} audited`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('opsdeck schedule with a workflow: add --workflow, run-now starts run 1, list and show link the run; one target only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-schedule-wf-'));
  try {
    const registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      [
        'services:',
        '  - name: step',
        '    execution_type: noop',
        'workflows:',
        '  - name: nightly_etl',
        '    tasks:',
        '      - name: extract',
        '        service: step',
        '      - name: load',
        '        service: step',
        '        depends_on: [extract]',
        '',
      ].join('\n'),
    );
    const common = ['--db', join(dir, 'o.db'), '--registry', registry];
    const run = (args: string[]) => opsdeck([...args, ...common], 'UTC');

    const added = run(['schedule', 'add', 'etl_nightly', '--workflow', 'nightly_etl', '--cron', '@daily', '--payload', '{"day":"yesterday"}']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /etl_nightly {2}operator {2}workflow nightly_etl {2}cron "@daily" UTC/);

    const now = run(['schedule', 'run-now', 'etl_nightly']);
    assert.equal(now.code, 0, now.stderr);
    assert.match(now.stdout, /^schedule etl_nightly: run 1 started \(schedule:etl_nightly:run-now:[^)]+\); opsdeck workflow show 1$/m);
    assert.match(run(['schedule', 'list']).stdout, /last .* run now -> run 1 running/);
    const shown = JSON.parse(run(['schedule', 'show', 'etl_nightly', '--json']).stdout);
    assert.deepEqual(shown.fires.map((f: { run_id: number; job_id: number | null }) => [f.run_id, f.job_id]), [[1, null]]);
    const workflowRun = JSON.parse(run(['workflow', 'show', '1', '--json']).stdout);
    assert.deepEqual(workflowRun.run.payload, { day: 'yesterday' });

    const both = run(['schedule', 'add', 'x', '--service', 'step', '--workflow', 'nightly_etl', '--cron', '@daily']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--service SERVICE or --workflow WORKFLOW \(one of them\)/);
    const unknown = run(['schedule', 'add', 'x', '--workflow', 'nope', '--cron', '@daily']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /workflow nope is not in the registry \(known: nightly_etl\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('opsdeck schedule check: the next fires in the zone and yours, or what is wrong, without a store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-schedule-check-'));
  try {
    const db = join(dir, 'never-made.db');
    const run = (args: string[]) => opsdeck([...args, '--db', db], 'America/Los_Angeles');

    const good = run(['schedule', 'check', '0 9 * * MON-FRI', '--timezone', 'Europe/Berlin', '--count', '3']);
    assert.equal(good.code, 0, good.stderr);
    const lines = good.stdout.trim().split('\n');
    assert.equal(lines[0], 'cron "0 9 * * MON-FRI" in Europe/Berlin: ok; the next 3 fires:');
    assert.equal(lines.length, 4, good.stdout);
    for (const line of lines.slice(1)) {
      assert.match(line, /^ {2}\d{4}-\d\d-\d\d 09:00:00\+0[12]:00 \(Europe\/Berlin\) = \d{4}-\d\d-\d\d 00:00:00-0[78]:00 here$/, 'Berlin 09:00 is midnight in Los Angeles');
    }

    // Unquoted, the words after check are one expression.
    const words = run(['schedule', 'check', '0', '9', '*', '*', 'MON-FRI', '--json']);
    assert.equal(words.code, 0, words.stderr);
    const json = JSON.parse(words.stdout);
    assert.equal(json.cron, '0 9 * * MON-FRI');
    assert.equal(json.timezone, 'UTC');
    assert.equal(json.next_fires.length, 5);

    const short = run(['schedule', 'check', '*/5 * * *']);
    assert.equal(short.code, 1);
    assert.equal(short.stdout, 'cron needs 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got 4: */5 * * *\n');

    const both = run(['schedule', 'check', '0 9 * * MON-FRY', '--timezone', 'Europe/Berln']);
    assert.equal(both.code, 1);
    assert.equal(both.stdout, "day-of-week 'MON-FRY': 'FRY' is not a day (MON..SUN or 0..7)\n'Europe/Berln' is not a time zone: did you mean Europe/Berlin?\n");

    const none = run(['schedule', 'check']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /schedule check needs a cron expression/);
    await assert.rejects(stat(db), 'a check opens no store');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
