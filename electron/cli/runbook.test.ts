import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { createTestContext } from '../api/testing/apiTestContext.ts';
import { rawRequest } from '../rest/testing/http.ts';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { failEach } from './commands/jobs.ts';
import { BIN, opsdeck, ok } from './testing/opsdeck.ts';

const REGISTRY = [
  'services:',
  '  - name: nap',
  '    execution_type: shell',
  '    runner_config: { command: ["/bin/sleep", "30"] }',
  '    security_policy: { allowed_commands: ["/bin/sleep"] }',
  '  - name: payments',
  '    execution_type: noop',
  '    circuit_breaker: { failure_threshold: 5, recovery_timeout: 60 }',
  '',
].join('\n');

let dir: string;
let registry: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-runbook-'));
  registry = join(dir, 'registry.yaml');
  await writeFile(registry, REGISTRY);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the runbooks\' words on the command line', { concurrency: 2 }, () => {
  it('aliases run the opsdeck command; other runbook words name the one to use; typos get a guess; all exit 2 when not run', async () => {
    const common = ['--db', join(dir, 'alias.db'), '--registry', registry];
    ok(await opsdeck(['migrate', '--db', join(dir, 'alias.db')]));
    assert.equal(ok(await opsdeck(['queue-status', ...common, '--json'])), ok(await opsdeck(['status', ...common, '--json'])));
    assert.match(ok(await opsdeck(['list-runners', ...common])), /^KIND\s+HEALTH/m);
    for (const word of ['test-vars', 'security-audit', 'version-check', 'executions', 'shutdown', 'recover', 'backup']) {
      const run = await opsdeck([word, '--service', 'stripe']);
      assert.equal(run.code, 2, word);
      assert.match(run.stderr, new RegExp(`^opsdeck: there is no "${word}" command here: opsdeck `), word);
    }
    // The runbook's security-audit --service S: the failure class picks every allowlist refusal, a command's or an image's.
    assert.match((await opsdeck(['security-audit', '--service', 'stripe'])).stderr, /opsdeck jobs --class allowlist --service NAME/);
    // Runbook 001's functions, typed as it spells them or in kebab case: the command that does the job.
    const functions: Array<[string, RegExp]> = [
      ['move_to_dlq', /opsdeck fail ID --reason TEXT/],
      ['move-to-dlq', /opsdeck fail ID --reason TEXT/],
      ['get_circuit_breaker_status', /opsdeck breaker list/],
      ['reset_all_circuit_breakers', /opsdeck breaker reset --all/],
      ['update_circuit_breaker_settings', /opsdeck breaker tune SERVICE --failure-threshold N --reset-timeout S/],
      ['retry_all_matching', /opsdeck dlq retry --search TEXT/],
      ['api-costs', /opsdeck performance/],
      // Runbook 002's orchestrator.
      ['validate', /opsdeck validate-config FILE/],
      ['inspect_pipeline_state', /opsdeck workflow show RUN/],
      ['recover_failed_pipeline', /opsdeck workflow retry RUN/],
      ['force-shutdown', /opsdeck emergency-stop stops everything now/],
    ];
    for (const [word, named] of functions) {
      const run = await opsdeck([word]);
      assert.equal(run.code, 2, word);
      assert.match(run.stderr, new RegExp(`^opsdeck: there is no "${word}" command here: `), word);
      assert.match(run.stderr, named, word);
    }
    assert.equal(ok(await opsdeck(['pipelines', ...common])), ok(await opsdeck(['workflow', 'runs', ...common])), 'pipelines are workflow runs');
    const typo = await opsdeck(['statuss']);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command "statuss"; did you mean "status"\?/);
    assert.match(ok(await opsdeck(['--help'])), /runbook words: list-runners = runners/);

    assert.match(ok(await opsdeck(['safe-mode', '--enable', '--reason', 'runbook', ...common])), /safe mode on/);
    const on = z.object({ control: z.object({ safe_mode: z.object({ engaged: z.boolean() }) }) }).parse(JSON.parse(ok(await opsdeck(['status', ...common, '--json']))));
    assert.equal(on.control.safe_mode.engaged, true);
    assert.match(ok(await opsdeck(['safe-mode', '--disable', ...common])), /safe mode off/);
    assert.equal((await opsdeck(['safe-mode', '--enable', '--disable', ...common])).code, 2);
    assert.notEqual((await opsdeck(['diagnose', '--full', ...common])).code, 2, 'diagnose --full is no usage error');
    const mistyped = await opsdeck(['safe-mode', '--enabel', ...common]);
    assert.equal(mistyped.code, 2);
    assert.equal(mistyped.stderr.trim(), 'opsdeck: unknown option --enabel (did you mean --enable?); see opsdeck safe-mode --help');

    // process-jobs is worker, options and all: --verbose logs each claim at debug, as worker --verbose does.
    ok(await opsdeck(['enqueue', 'payments', ...common]));
    const worked = await opsdeck(['process-jobs', '--verbose', '--until-empty', '--log-format', 'json', ...common]);
    assert.match(ok(worked) + worked.stderr, /"level":"debug".*"msg":"job claimed"/);
    // Each worker says which services its registry names: the ones it can run.
    assert.match(ok(await opsdeck(['workers', ...common])), /SERVICES[\s\S]*\ball 2 of the registry\b/);
    assert.match(ok(await opsdeck(['workers', '--db', join(dir, 'alias.db')])), /SERVICES[\s\S]*\bnap,payments\b/, 'with no registry here, the services as declared');
  });

  it('queue-status QUEUE and runner-status KIND show that one alone, as the runbook types them; a wrong name is refused with a guess', async () => {
    const db = join(dir, 'one.db');
    const common = ['--db', db, '--registry', registry];
    ok(await opsdeck(['migrate', '--db', db]));
    ok(await opsdeck(['enqueue', 'payments', ...common]));
    ok(await opsdeck(['enqueue', 'payments', '--queue', 'mail', ...common]));
    ok(await opsdeck(['pause', 'mail', '--reason', 'smtp down', ...common]));
    const one = ok(await opsdeck(['queue-status', 'mail', ...common]));
    assert.match(one, /^mail +1 +0 +0 +0 +0 +\S+ +yes$/m);
    assert.doesNotMatch(one, /^default /m, 'the other queues are left out');
    assert.match(one, /^queue mail: PAUSED by \S+ at .* \(smtp down\); opsdeck unpause mail$/m);
    assert.match(one, /^safe mode: off$/m);
    const Json = z.object({ counts: z.record(z.string(), z.number()), queues: z.record(z.string(), z.unknown()) });
    const json = Json.parse(JSON.parse(ok(await opsdeck(['queue-status', 'default', ...common, '--json']))));
    assert.deepEqual([json.counts.pending, Object.keys(json.queues)], [1, ['default']]);
    const typo = await opsdeck(['queue-status', 'mial', ...common]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^opsdeck: no queue named mial \(did you mean mail\?\): no service, schedule or job uses it; known: default, mail; see opsdeck status --help$/m);

    const shell = await opsdeck(['runner-status', 'shell', ...common]);
    assert.match(shell.stdout, /^shell +(ok|FAILING) /m);
    assert.doesNotMatch(shell.stdout, /^(http|docker|serverless|noop) /m, 'the other kinds are left out');
    const kindTypo = await opsdeck(['runner-status', 'shel', ...common]);
    assert.equal(kindTypo.code, 2);
    assert.match(kindTypo.stderr, /^opsdeck: no runner kind shel \(did you mean shell\?\); known: shell, http, docker, serverless, noop; see opsdeck runners --help$/m);
  });

  it('breaker tune stores the numbers for every worker, list shows them beside the registry, --defaults undoes; reset --all', async () => {
    const common = ['--db', join(dir, 'tune.db'), '--registry', registry];
    ok(await opsdeck(['migrate', '--db', join(dir, 'tune.db')]));
    assert.match(ok(await opsdeck(['breaker', 'tune', 'payments', '--failure-threshold', '10', '--recovery-timeout', '30', '--reason', 'flaky', ...common])), /payments tuned for every worker: failure_threshold 10 \(registry 5\), recovery_timeout 30s \(registry 60s\)/);
    assert.match(ok(await opsdeck(['breaker', 'list', ...common])), /payments .* 0\/10 .*failure_threshold 10 \(registry 5\)/);
    assert.match(
      ok(await opsdeck(['breaker', 'tune', 'payments', '--failure-threshold', '10', ...common])),
      /^breaker payments: already tuned: failure_threshold 10 \(registry 5\), recovery_timeout 30s \(registry 60s\) by \S+; nothing changed$/m,
      'a repeat says it changed nothing (and is not audited)',
    );
    assert.equal((await opsdeck(['breaker', 'tune', 'payments', '--failure-threshold', 'many', ...common])).code, 2);
    const negative = await opsdeck(['breaker', 'tune', 'payments', '--failure-threshold', '-1', ...common]);
    assert.equal(negative.code, 2);
    assert.match(negative.stderr, /^opsdeck: --failure-threshold must be a whole number above 0, not "-1"; see opsdeck breaker --help$/m);
    assert.equal((await opsdeck(['breaker', 'tune', 'payments', ...common])).code, 2);
    assert.match(ok(await opsdeck(['breaker', 'tune', 'payments', '--defaults', ...common])), /back to the registry's settings \(threshold 5, recovery 60s\)/);
    // The runbook's update_circuit_breaker_settings(..., reset_timeout=60): --reset-timeout is --recovery-timeout.
    assert.match(ok(await opsdeck(['breaker', 'tune', 'payments', '--reset-timeout', '60', ...common])), /recovery_timeout 60s \(registry 60s\)/);
    const both = await opsdeck(['breaker', 'tune', 'payments', '--reset-timeout', '60', '--recovery-timeout', '30', ...common]);
    assert.equal(both.code, 2, 'one is the other: which to keep would be a guess, as REST refuses it too');
    assert.match(both.stderr, /^opsdeck: --reset-timeout is --recovery-timeout by the runbooks' name: give one of them, not both/m);
    assert.match(ok(await opsdeck(['breaker', 'tune', 'payments', '--window', '120', ...common])), /, window 120s by /, 'every setting in seconds says so');
    // A forced-open breaker reads open first: an operator scanning for OPEN breakers must not read "closed".
    assert.match(ok(await opsdeck(['breaker', 'open', 'nap', ...common])), /^breaker nap: open, forced open \(auto: closed\)$/m);
    assert.match(ok(await opsdeck(['breaker', 'list', ...common])), /nap\s+open\s+force_open \(auto: closed\)/);
    // payments is in auto already: auto --all changes and audits nap alone, and a repeat nothing.
    assert.match(ok(await opsdeck(['breaker', 'auto', '--all', ...common])), /^auto: nap closed; 1 already in auto$/m);
    assert.match(ok(await opsdeck(['breaker', 'auto', '--all', ...common])), /^auto: nothing changed, every breaker \(2\) already in auto$/m);
    const autos = z.object({ entries: z.array(z.object({ target: z.string().nullable() })) }).parse(JSON.parse(ok(await opsdeck(['audit', '--action', 'breaker.auto', ...common, '--json']))));
    assert.deepEqual(autos.entries.map((e) => e.target), ['nap'], 'only the breaker auto --all changed is audited');
    assert.match(ok(await opsdeck(['breaker', 'open', 'nap', ...common])), /^breaker nap: open, forced open \(auto: closed\)$/m);
    // payments is closed in auto with nothing to clear (its tuning is not the reset's): left alone, unaudited.
    assert.match(ok(await opsdeck(['breaker', 'reset', '--all', ...common])), /^reset: nap closed; 1 already closed with nothing to clear$/m);
    assert.match(ok(await opsdeck(['breaker', 'reset', '--all', ...common])), /^reset: nothing changed, every breaker \(2\) already closed with nothing to clear$/m);
    const resets = z.object({ entries: z.array(z.object({ target: z.string().nullable() })) }).parse(JSON.parse(ok(await opsdeck(['audit', '--action', 'breaker.reset', ...common, '--json']))));
    assert.deepEqual(resets.entries.map((e) => e.target), ['nap'], 'only the breaker the reset changed is audited');
    const audit = ok(await opsdeck(['audit', '--action', 'breaker.tune', ...common, '--json']));
    assert.equal(z.object({ entries: z.array(z.unknown()) }).parse(JSON.parse(audit)).entries.length, 4);
  });

  it('after reset --all with a reason, a breaker the engine opens again shows its last error, not the reset\'s setter and reason', async () => {
    const flaky = join(dir, 'flaky.yaml');
    await writeFile(flaky, [
      'services:',
      '  - name: flaky',
      '    execution_type: noop',
      '    runner_config: { fail: true, fail_message: "upstream said 503" }',
      '    circuit_breaker: { failure_threshold: 1, minimum_volume: 1, recovery_timeout: 600 }',
      '  - name: steady',
      '    execution_type: noop',
      '',
    ].join('\n'));
    const common = ['--db', join(dir, 'reopened.db'), '--registry', flaky];
    ok(await opsdeck(['migrate', '--db', join(dir, 'reopened.db')]));
    ok(await opsdeck(['breaker', 'open', 'steady', '--reason', 'vendor maintenance', ...common]));
    ok(await opsdeck(['breaker', 'open', 'flaky', '--reason', 'vendor maintenance', ...common]));
    ok(await opsdeck(['breaker', 'reset', '--all', '--reason', 'upstream recovered', ...common]));
    ok(await opsdeck(['breaker', 'open', 'steady', '--reason', 'vendor maintenance', ...common]));
    ok(await opsdeck(['enqueue', 'flaky', ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));

    const list = ok(await opsdeck(['breaker', 'list', ...common]));
    const flakyRow = list.split('\n').find((line) => line.startsWith('flaky '));
    assert.match(flakyRow ?? '', /^flaky\s+open\s+auto\s.*upstream said 503\s*$/, list);
    // Opening emptied the window: an open breaker says since when, and its next probe, not "0/1 (0 calls)".
    assert.match(flakyRow ?? '', /^flaky\s+open\s+auto\s+opened \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)\s.*\sin \d+[smh]\b/, list);
    assert.doesNotMatch(flakyRow ?? '', /0 calls/);
    assert.match(list, /^steady\s+open\s+force_open \(auto: closed\)\s+forced open \d{4}-\d\d-\d\d .*none while forced open/m);
    assert.doesNotMatch(list, /upstream recovered/, 'the reset\'s reason is not the reopened breaker\'s');
    // While a mode is forced, its setter and reason are what hold the breaker: still shown.
    assert.match(list, /^steady\s+open\s+force_open \(auto: closed\)\s.*\s\S+@\S+ \d{4}-\d\d-\d\d .*vendor maintenance\s*$/m);
    const audit = ok(await opsdeck(['audit', '--action', 'breaker.reset', ...common]));
    assert.match(audit, /upstream recovered/, 'the audit log keeps the reset\'s reason');
  });

  it('dlq resolve --dry-run needs no note; dlq retry behind a forced-open breaker and a paused queue says the jobs wait and what releases them, its dry run in the same words', async () => {
    const common = ['--db', join(dir, 'held.db'), '--registry', registry];
    ok(await opsdeck(['migrate', '--db', join(dir, 'held.db')]));
    for (let i = 0; i < 2; i++) ok(await opsdeck(['enqueue', 'payments', '--payload', '{"fail":true,"fail_retryable":false,"fail_message":"card declined"}', ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
    const groups = z.object({ groups: z.array(z.object({ fingerprint: z.string(), count: z.number() })) }).parse(JSON.parse(ok(await opsdeck(['dlq', 'groups', ...common, '--json']))));
    const fp = groups.groups[0]?.fingerprint ?? '';
    assert.equal(groups.groups[0]?.count, 2);

    assert.match(ok(await opsdeck(['dlq', 'resolve', '--fingerprint', fp, '--dry-run', ...common])), /^would resolve 2 dead letters; run again without --dry-run to do it$/m);
    const noNote = await opsdeck(['dlq', 'resolve', '--fingerprint', fp, ...common]);
    assert.equal(noNote.code, 2, 'a real resolve still needs its note');
    assert.match(noNote.stderr, /resolve needs --note TEXT/);

    ok(await opsdeck(['breaker', 'open', 'payments', '--reason', 'card processor outage', ...common]));
    ok(await opsdeck(['pause', 'default', '--reason', 'processor migration', ...common]));
    const dry = ok(await opsdeck(['dlq', 'retry', '--fingerprint', fp, '--dry-run', ...common]));
    const retried = ok(await opsdeck(['dlq', 'retry', '--fingerprint', fp, ...common]));
    assert.match(retried, /^retried 2 dead letters\njobs \d+, \d+$/m, 'named by a fingerprint: the jobs are listed');
    assert.match(retried, /^2 jobs of payments wait: its circuit breaker is forced open \(opsdeck breaker reset payments releases them\)$/m);
    assert.match(retried, /^they wait while queue default is paused by \S+: processor migration \(opsdeck unpause default\)$/m);
    // Nothing changed between them: the dry run said what the retry then did, in the same words.
    // The worker stopped once the queue was empty: nothing will run them, and both say so.
    assert.match(retried, /^no live worker runs them: payments \(queue default\): no worker is running \(start one: opsdeck worker\)$/m);
    assert.match(dry, /^would retry 2 dead letters; run again without --dry-run to do it\n/);
    assert.deepEqual(dry.split('\n').slice(1), retried.split('\n').slice(1));
    const pending = z.object({ jobs: z.array(z.unknown()) }).parse(JSON.parse(ok(await opsdeck(['jobs', '--status', 'pending', '--service', 'payments', ...common, '--json']))));
    assert.equal(pending.jobs.length, 2);
  });

  it("dlq retry and resolve take a dead letter by its id or identifier, as the runbook's retry_dlq_item('dlq-id') and resolve_dlq_item('dlq-id', note) do", async () => {
    const common = ['--db', join(dir, 'one-item.db'), '--registry', registry];
    ok(await opsdeck(['migrate', '--db', join(dir, 'one-item.db')]));
    const failing = '{"fail":true,"fail_retryable":false,"fail_message":"card declined"}';
    for (const identifier of ['charge-1', 'charge-2', 'charge-3']) ok(await opsdeck(['enqueue', 'payments', '--identifier', identifier, '--payload', failing, ...common]));
    ok(await opsdeck(['worker', '--until-empty', ...common]));
    const Dead = z.object({ jobs: z.array(z.object({ id: z.number(), identifier: z.string() })) });
    const dead = Dead.parse(JSON.parse(ok(await opsdeck(['dlq', 'list', ...common, '--json'])))).jobs;
    const idOf = (identifier: string): number => dead.find((j) => j.identifier === identifier)?.id ?? 0;

    assert.deepEqual(Dead.parse(JSON.parse(ok(await opsdeck(['dlq', 'list', String(idOf('charge-1')), 'charge-2', ...common, '--json'])))).jobs.map((j) => j.identifier).sort(), ['charge-1', 'charge-2']);
    assert.match(ok(await opsdeck(['dlq', 'retry', String(idOf('charge-1')), ...common])), /^retried 1 dead letter$/m);
    assert.match(ok(await opsdeck(['dlq', 'resolve', 'charge-2', '--note', 'Fixed by updating API credentials', ...common])), /^resolved 1 dead letter$/m);
    const left = Dead.parse(JSON.parse(ok(await opsdeck(['dlq', 'list', ...common, '--json'])))).jobs.map((j) => j.identifier);
    assert.deepEqual(left, ['charge-3'], 'only the one named was resolved, and the retried one left the open list');
    const Audit = z.object({ entries: z.array(z.object({ details: z.object({ job_ids: z.array(z.number()), note: z.string() }) })) });
    const audit = Audit.parse(JSON.parse(ok(await opsdeck(['audit', '--action', 'dlq.resolve', ...common, '--json'])))).entries;
    assert.deepEqual(audit.map((e) => e.details), [{ job_ids: [idOf('charge-2')], note: 'Fixed by updating API credentials' }]);

    const unknown = await opsdeck(['dlq', 'retry', 'charge-99', ...common]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /charge-99/);
    const groups = await opsdeck(['dlq', 'groups', '5', ...common]);
    assert.equal(groups.code, 2);
    assert.match(groups.stderr, /unexpected argument "5": dlq groups takes no job ids/);
    const none = await opsdeck(['dlq', 'retry', ...common]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /say which dead letters to retry: job ids \(opsdeck dlq retry 12 13\)/);
  });

  it("rate-limit tune is the runbook's 'reduce worker budgets temporarily': --scale 0.5 halves the budget for every worker, --defaults undoes", async () => {
    const budgets = join(dir, 'budgets.yaml');
    await writeFile(budgets, ['services:', '  - name: partner_api', '    execution_type: noop', '    rate_limit: { limit: 100, per: 1m }', '    max_concurrent: 4', '  - name: free', '    execution_type: noop', ''].join('\n'));
    const common = ['--db', join(dir, 'budgets.db'), '--registry', budgets];
    ok(await opsdeck(['migrate', '--db', join(dir, 'budgets.db')]));
    assert.match(ok(await opsdeck(['rate-limit', ...common])), /partner_api\s+100 per 1m, 4 running at most\s+100 per 1m, 4 running at most\s+0\/100 in the last 1m, 0\/4 running/);
    assert.match(
      ok(await opsdeck(['rate-limit', 'tune', 'partner_api', '--scale', '0.5', '--reason', 'upstream 429s', ...common])),
      /^rate limit partner_api set for every worker: 50 per 1m, 2 running at most \(registry: 100 per 1m, 4 running at most\)$/m,
    );
    assert.match(ok(await opsdeck(['rate-limit', 'list', ...common])), /partner_api\s+50 per 1m, 2 running at most\s+100 per 1m, 4 running at most\s+.*upstream 429s/);
    assert.match(ok(await opsdeck(['breaker', ...common])), /partner_api .*0\/50 per 1m, 0\/2 running, tuned by /);
    assert.match(ok(await opsdeck(['rate-limit', 'tune', 'partner_api', '--limit', '5', ...common])), /set for every worker: 5 per 1m, 2 running at most/);

    const noRegistry = await opsdeck(['rate-limit', 'tune', 'partner_api', '--scale', '0.5', '--db', join(dir, 'budgets.db')]);
    assert.equal(noRegistry.code, 2);
    assert.match(noRegistry.stderr, /the budget in force for partner_api is not known here: no registry loaded: pass --registry FILE \(or set OPSDECK_REGISTRY\)/);
    const noPeriod = await opsdeck(['rate-limit', 'tune', 'free', '--limit', '5', ...common]);
    assert.equal(noPeriod.code, 2);
    assert.match(noPeriod.stderr, /free has no rate limit yet: give its period \(per\) with the limit, e\.g\. 5 per 1m/);
    const badPeriod = await opsdeck(['rate-limit', 'tune', 'free', '--limit', '5', '--per', '2x', ...common]);
    assert.equal(badPeriod.code, 2);
    assert.match(badPeriod.stderr, /--per takes a period from 100ms to 24h, such as 1s, 500ms, 1m or 1h, not "2x"/);
    const unknown = await opsdeck(['rate-limit', 'tune', 'partner-api', '--scale', '0.5', ...common]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /service partner-api is not in the registry/);

    assert.match(ok(await opsdeck(['rate-limit', 'tune', 'partner_api', '--limit', '5', ...common])), /^rate limit partner_api: already 5 per 1m, 2 running at most \(registry: .*\); nothing changed$/m);
    assert.match(ok(await opsdeck(['rate-limit', ...common])), /partner_api\s+5 per 1m, 2 running at most\s+.*\s+upstream 429s/, 'a change given no reason keeps why it is tuned');

    assert.match(ok(await opsdeck(['rate-limit', 'tune', 'partner_api', '--defaults', ...common])), /^rate limit partner_api: back to the registry's \(100 per 1m, 4 running at most\)$/m);
    assert.match(ok(await opsdeck(['rate-limit', 'tune', 'partner_api', '--defaults', ...common])), /^rate limit partner_api: not tuned, already the registry's/m);
    const budget = (limit: number | null, maxConcurrent: number | null) => ({ limit, per_ms: limit === null ? null : 60_000, max_concurrent: maxConcurrent });
    const audit = z.object({ entries: z.array(z.object({ details: z.unknown() })) }).parse(JSON.parse(ok(await opsdeck(['audit', '--action', 'rate_limit.tune', ...common, '--json']))));
    assert.deepEqual(
      audit.entries.map((e) => e.details).reverse(),
      [
        { reason: 'upstream 429s', from: {}, to: { limit: 50, max_concurrent: 2 }, in_force_before: budget(100, 4), in_force_after: budget(50, 2) },
        { reason: null, from: { limit: 50, max_concurrent: 2 }, to: { limit: 5, max_concurrent: 2 }, in_force_before: budget(50, 2), in_force_after: budget(5, 2) },
        { reason: null, from: { limit: 5, max_concurrent: 2 }, to: null, in_force_before: budget(5, 2), in_force_after: budget(100, 4) },
      ],
      'the repeats changed nothing and are not audited',
    );

    // Several services at once, as the runbook reduces several workers' budgets; one refused does not stop the rest.
    const both = await opsdeck(['rate-limit', 'tune', 'partner_api,free,nope', '--max-concurrent', '1', ...common]);
    assert.equal(both.code, 1);
    assert.match(both.stdout, /^rate limit partner_api set for every worker: 100 per 1m, 1 running at most/m);
    assert.match(both.stdout, /^rate limit free set for every worker: 1 running at most \(registry: none\)$/m);
    assert.match(both.stderr, /^opsdeck: nope: service nope is not in the registry/m);
  });

  it('api-key create prints the key once; the store keeps no copy of it; list never shows it; revoke ends it', async () => {
    const db = join(dir, 'keys.db');
    const created = await opsdeck(['api-key', 'create', '--name', 'ci-bot', '--scope', 'operate', '--expires', '30d', '--db', db]);
    const secret = ok(created).trim();
    assert.match(secret, /^odk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /shown this once/);
    const list = ok(await opsdeck(['api-key', 'list', '--db', db]));
    assert.match(list, /ci-bot\s+operate/);
    assert.ok(!list.includes(secret.slice(17)));
    const file = await readFile(db);
    assert.equal(file.includes(Buffer.from(secret.slice(17))), false, 'the key is nowhere in the store file');
    assert.equal((await opsdeck(['api-key', 'create', '--name', 'x', '--scope', 'admin', '--db', db])).code, 2);
    assert.equal((await opsdeck(['api-key', 'create', '--name', 'x', '--scope', 'read', '--expires', '3h', '--db', db])).code, 2);
    ok(await opsdeck(['api-key', 'revoke', 'ci-bot', '--db', db]));
    assert.match(ok(await opsdeck(['api-key', 'list', '--db', db])), /^no API keys/);
    assert.equal((await opsdeck(['api-key', 'revoke', 'ci-bot', '--db', db])).code, 1);
  });

  it('a job left running by a SIGKILLed worker shows in jobs --running-longer-than with its start, and opsdeck fail ends it', async () => {
    const common = ['--db', join(dir, 'stuck.db'), '--registry', registry];
    const id = z.object({ id: z.number() }).parse(JSON.parse(ok(await opsdeck(['enqueue', 'nap', ...common, '--json'])))).id;
    const worker = spawn(process.execPath, [BIN, 'worker', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => worker.on('close', resolve));
    try {
      for (let i = 0; i < 200; i++) {
        const running = JSON.parse(ok(await opsdeck(['jobs', '--status', 'running', ...common, '--json'])));
        if (z.object({ jobs: z.array(z.unknown()) }).parse(running).jobs.length > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      worker.kill('SIGKILL');
      await exited;
    }
    const table = ok(await opsdeck(['jobs', '--running-longer-than', '0s', ...common], { TZ: 'Asia/Kolkata' }));
    assert.match(table, /STARTED\s+RUNNING FOR/);
    assert.match(table, new RegExp(`^\\s*${id} .* \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\+05:30 +\\d+s`, 'm'), 'local time with its offset, and how long');
    assert.match(ok(await opsdeck(['jobs', '--running-longer-than', '0s', '--utc', ...common], { TZ: 'Asia/Kolkata' })), /:\d\dZ /);
    assert.equal(ok(await opsdeck(['jobs', '--running-longer-than', '1h', ...common])).trim(), 'no jobs running longer than 1h', 'what it looked for, named');
    // The runbook's minutes_running, for one job: its trace says how long it has run so far, as the table does.
    const trace = ok(await opsdeck(['job', String(id), ...common]));
    assert.match(trace, /^duration:\s+running \d+s so far$/m);
    assert.match(trace, /^1\s+running\s.*\srunning \d+s\s*$/m, "the attempt's row too");
    const refused = await opsdeck(['fail', String(id), ...common]);
    assert.equal(refused.code, 2, 'a reason is required');
    assert.match(ok(await opsdeck(['fail', String(id), '--reason', 'worker was killed', ...common])), new RegExp(`job ${id} .* failed: it is in the dead-letter queue`));
    const dead = ok(await opsdeck(['dlq', 'list', ...common]));
    assert.match(dead, /failed by an operator/);
    assert.match(dead, /TRIES\s+FAILED\s+ERROR/, 'a dead letter is dated by its failure, not its creation');
    assert.match(ok(await opsdeck(['jobs', '--class', 'operator', ...common])), new RegExp(`^\\s*${id} .*failed`, 'm'));
    assert.match(ok(await opsdeck(['jobs', '--class', 'resource_limit', ...common])), /no jobs match/);
    const badClass = await opsdeck(['jobs', '--class', 'Resource Limit', ...common]);
    assert.equal(badClass.code, 2);
    assert.match(badClass.stderr, /--class takes a failure class such as resource_limit/);
  });

  it('fail --stuck fails every job a SIGKILLed worker left running once their leases ran out, each audited; with an ID it is refused', async () => {
    const db = join(dir, 'stuck-all.db');
    const common = ['--db', db, '--registry', registry];
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push(z.object({ id: z.number() }).parse(JSON.parse(ok(await opsdeck(['enqueue', 'nap', ...common, '--json'])))).id);
    const worker = spawn(process.execPath, [BIN, 'worker', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => worker.on('close', resolve));
    try {
      for (let i = 0; i < 200; i++) {
        const running = JSON.parse(ok(await opsdeck(['jobs', '--status', 'running', ...common, '--json'])));
        if (z.object({ jobs: z.array(z.unknown()) }).parse(running).jobs.length === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      worker.kill('SIGKILL');
      await exited;
    }
    assert.match(ok(await opsdeck(['fail', '--stuck', '--reason', 'worker was killed', ...common])), /^no stuck jobs/m, 'their leases still run');
    const file = new Database(db);
    try {
      // Its heartbeat old, the worker is lost, while its leases still run: the hint says when its jobs become stuck.
      assert.equal(file.prepare(`UPDATE tb_worker SET last_heartbeat_at = ?`).run(new Date(Date.now() - 60_000).toISOString()).changes, 1);
      const leased = ok(await opsdeck(['workers', '--utc', ...common]));
      assert.match(leased, /^\S+ still holds 2 running job\(s\), stuck once their leases run out, by \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{3})?Z: then opsdeck jobs --stuck lists them/m, leased);
      assert.equal(ok(await opsdeck(['jobs', '--stuck', ...common])).trim(), 'no stuck jobs (running with an expired lease)', 'as the hint says: not stuck yet');
      // What the 30 s lease does once it has run out, without waiting for it.
      assert.equal(file.prepare(`UPDATE tb_job_run SET lease_expires_at = ? WHERE status = 'running'`).run(new Date(Date.now() - 60_000).toISOString()).changes, 2);
    } finally {
      file.close();
    }
    const stuck = ok(await opsdeck(['jobs', '--stuck', ...common]));
    assert.match(stuck, new RegExp(`^\\s*${ids[1]} [\\s\\S]*^\\s*${ids[0]} `, 'm'));
    assert.match(stuck, /WORKER +STARTED +RUNNING FOR/, 'where each stuck job ran, and since when');
    const fleet = ok(await opsdeck(['workers', ...common]));
    assert.match(fleet, /\blost +\S+ +\d+ +- +/, "a lost worker's last count of jobs in flight is not shown as current: " + fleet);
    assert.match(fleet, /^\S+ still holds 2 running job\(s\), their leases ran out at .+: opsdeck jobs --stuck lists them \(opsdeck fail --stuck fails them now\)/m, fleet);

    const both = await opsdeck(['fail', '--stuck', String(ids[0]), '--reason', 'worker was killed', ...common]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--stuck fails every stuck job: give it without an ID/);
    assert.equal((await opsdeck(['fail', '--stuck', ...common])).code, 2, 'a reason is required');

    const failed = ok(await opsdeck(['fail', '--stuck', '--reason', 'worker was killed', ...common]));
    for (const id of ids) assert.match(failed, new RegExp(`^job ${id} \\(.*\\) failed: it is in the dead-letter queue$`, 'm'));
    assert.match(failed, /^2 failed, 0 refused/m);
    assert.equal(ok(await opsdeck(['jobs', '--stuck', ...common])).trim(), 'no stuck jobs (running with an expired lease)');
    assert.equal(ok(await opsdeck(['jobs', '--stuck', '--service', 'nap', ...common])).trim(), 'no stuck jobs (running with an expired lease) match the other filters');
    const audit = z.object({ entries: z.array(z.object({ target: z.string().nullable(), details: z.unknown() })) })
      .parse(JSON.parse(ok(await opsdeck(['audit', '--action', 'job.fail', ...common, '--json']))));
    assert.deepEqual(audit.entries.map((e) => Number(e.target)).sort(), [...ids].sort());
    for (const e of audit.entries) assert.match(JSON.stringify(e.details), /worker was killed/);
  });

  it("runbook 001's memory and CPU check from anywhere: each worker's RSS and CPU in opsdeck workers, its last known once lost, - when it said none", async () => {
    const db = join(dir, 'memory.db');
    const common = ['--db', db, '--registry', registry];
    const Memory = z.object({ rss_bytes: z.number(), heap_used_bytes: z.number() });
    const Workers = z.object({ workers: z.array(z.object({ id: z.string(), lost: z.boolean(), memory: Memory.nullable(), cpu_percent: z.number().nullable() })) });
    const listed = async () => Workers.parse(JSON.parse(ok(await opsdeck(['workers', ...common, '--json'])))).workers;
    ok(await opsdeck(['migrate', '--db', db]));
    const worker = spawn(process.execPath, [BIN, 'worker', ...common], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => worker.on('close', resolve));
    let memory: z.infer<typeof Memory> | null = null;
    try {
      // Its first heartbeat is 2 s after it starts.
      for (let i = 0; i < 100 && memory === null; i++) {
        memory = (await listed())[0]?.memory ?? null;
        if (memory === null) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(memory, 'a running worker says its memory at its heartbeat');
      assert.ok(memory.rss_bytes > 20 * 1024 ** 2 && memory.rss_bytes < 4 * 1024 ** 3, `a Node process's resident set: ${memory.rss_bytes}`);
      assert.ok(memory.heap_used_bytes > 0 && memory.heap_used_bytes < memory.rss_bytes, `V8's heap in use, within it: ${memory.heap_used_bytes}`);
      // Its CPU from its start to its first heartbeat: a Node process starting up spends some.
      const cpu = (await listed())[0]?.cpu_percent;
      assert.ok(cpu !== null && cpu !== undefined && cpu > 0 && cpu < 100 * availableParallelism(), `a percent of one core: ${cpu}`);
      const live = ok(await opsdeck(['workers', ...common]));
      assert.match(live, /^WORKER +STATE +HOST +PID +IN FLIGHT +RSS +CPU +QUEUES/m);
      assert.match(live, /\brunning +\S+ +\d+ +0\/10 +\d+\.\d MiB +\d+\.\d% +all /, live);
    } finally {
      worker.kill('SIGKILL');
      await exited;
    }
    // What ten seconds of silence does, without waiting for them.
    const file = new Database(db);
    try {
      assert.equal(file.prepare(`UPDATE tb_worker SET last_heartbeat_at = ?`).run(new Date(Date.now() - 60_000).toISOString()).changes, 1);
    } finally {
      file.close();
    }
    const [lost] = await listed();
    assert.equal(lost?.lost, true);
    assert.ok(lost.memory && lost.memory.rss_bytes > 20 * 1024 ** 2, 'a lost worker keeps the last it said');
    assert.match(ok(await opsdeck(['workers', ...common])), /\blost +\S+ +\d+ +- +\d+\.\d MiB \(last\) +\d+\.\d% \(last\) +all /);

    // A worker of a version before memory was reported leaves the columns empty.
    const older = new Database(db);
    try {
      older.prepare(`UPDATE tb_worker SET rss_bytes = NULL, heap_used_bytes = NULL, cpu_percent = NULL`).run();
    } finally {
      older.close();
    }
    assert.equal((await listed())[0]?.memory, null);
    assert.match(ok(await opsdeck(['workers', ...common])), /\blost +\S+ +\d+ +- +- +- +all /);
  });

  it('fail --stuck goes on past a job that moved on since it was listed (taken back, or running again under a live lease, force or not), says why, and exits 1', async () => {
    const t = await createTestContext();
    try {
      const [stuck, restarted, moved] = await t.store.enqueue([0, 1, 2].map(() => ({ queue: 'default', service_name: 'gone', execution_type: 'noop' as const, max_attempts: 1 })));
      assert.ok(stuck && restarted && moved);
      assert.equal((await t.store.claim({ workerId: 'w-dead', limit: 1, leaseMs: 1 })).length, 1);
      assert.equal((await t.store.claim({ workerId: 'w-alive', limit: 1, leaseMs: 60_000 }))[0]?.id, restarted.id);
      await new Promise((r) => setTimeout(r, 5));
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text), tty: false, env: {} };
      assert.equal(await failEach(t.ctx, [stuck.id, restarted.id, moved.id], { reason: 'worker was killed', force: true, onlyIfStuck: true }, io, false), 1);
      assert.deepEqual(out, [`job ${stuck.id} (${stuck.identifier}) failed: it is in the dead-letter queue`, '1 failed, 2 refused (opsdeck retry ID runs one again)']);
      assert.deepEqual(err, [
        `opsdeck: job ${restarted.id} refused: job ${restarted.id} is no longer stuck: it runs again under w-alive with a live lease; left running`,
        `opsdeck: job ${moved.id} refused: job ${moved.id} is pending now: it is no longer stuck (taken back or finished since it was listed); left as it is`,
      ]);
      assert.equal((await t.store.getJob(restarted.id))?.status, 'running', 'force did not reach the run that started again');
      assert.equal((await t.store.listAudit({ action: 'job.fail' }, { limit: 10 })).items.length, 1, 'the failed one is audited');
    } finally {
      await t.cleanup();
    }
  });

  it('opsdeck api serves the REST API with keys: a read key lists failed executions and is refused a stop; an operate key stops, audited by name', async () => {
    const db = join(dir, 'api.db');
    const readKey = ok(await opsdeck(['api-key', 'create', '--name', 'monitor', '--scope', 'read', '--db', db])).trim();
    const operateKey = ok(await opsdeck(['api-key', 'create', '--name', 'ci-bot', '--scope', 'operate', '--db', db])).trim();
    const remote = await opsdeck(['api', '--host', '0.0.0.0', '--db', db]);
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /--allow-remote/);
    const child = spawn(process.execPath, [BIN, 'api', '--port', '0', '--db', db, '--registry', registry], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
      const match = /^opsdeck api: http:\/\/127\.0\.0\.1:(\d+)\/v1 /.exec(String(first.value));
      assert.ok(match, String(first.value));
      const port = Number(match[1]);
      assert.equal((await rawRequest({ port, path: '/healthz' })).status, 200);
      const failed = await rawRequest({ port, path: '/v1/executions?status=failed&limit=10', headers: { authorization: `Bearer ${readKey}` } });
      assert.equal(failed.status, 200, failed.body);
      const post = { method: 'POST', body: '{"reason":"api test"}', path: '/v1/control/emergency-stop' };
      assert.equal((await rawRequest({ port, ...post, headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' } })).status, 403);
      assert.equal((await rawRequest({ port, ...post, headers: { authorization: `Bearer ${operateKey}`, 'content-type': 'application/json' } })).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    const audit = z.object({ entries: z.array(z.object({ actor: z.string() })) }).parse(JSON.parse(ok(await opsdeck(['audit', '--action', 'control.emergency_stop', '--db', db, '--json']))));
    assert.match(audit.entries[0]?.actor ?? '', /^api-key:ci-bot@/);
  });
});

describe('the runbooks\' words on PostgreSQL', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database?.drop();
  });

  it('api keys and breaker tuning are kept in the shared store', async () => {
    const common = ['--db', database.url, '--registry', registry];
    const secret = ok(await opsdeck(['api-key', 'create', '--name', 'fleet-bot', '--scope', 'read', ...common])).trim();
    assert.match(secret, /^odk_/);
    assert.match(ok(await opsdeck(['api-key', 'list', ...common])), /fleet-bot\s+read/);
    assert.match(ok(await opsdeck(['breaker', 'tune', 'payments', '--failure-threshold', '2', ...common])), /tuned for every worker/);
    assert.match(ok(await opsdeck(['breaker', 'list', ...common])), /failure_threshold 2 \(registry 5\)/);
  });
});
