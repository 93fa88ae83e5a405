import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../store/testing/pgTestDb.ts';
import { opsdeck, ok } from './testing/opsdeck.ts';

/** The runbooks' own words typed at the command line: each understood, or answered with opsdeck's word for it. */

const REGISTRY = [
  'services:',
  '  - name: executor',
  '    execution_type: shell',
  '    timeout: 1',
  '    retry_config: { max_retries: 0 }',
  '    runner_config: { command: ["/bin/sleep", "5"] }',
  '    security_policy: { allowed_commands: ["/bin/sleep"] }',
  // A window of an hour: its one failure is still counted when the breakers are listed, however slow the run.
  '    circuit_breaker: { window: 3600 }',
  '  - name: api',
  '    execution_type: noop',
  '    queue: fast',
  '    max_concurrent: 4',
  '    runner_config: { fail: true, fail_retryable: false, fail_message: "upstream said 503" }',
  '',
].join('\n');

const oneLine = (text: string) => text.trim().split('\n').join(' | ');

let dir: string;
let registry: string;
let db: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-words-'));
  registry = join(dir, 'registry.yaml');
  db = join(dir, 'words.db');
  await writeFile(registry, REGISTRY);
  const common = ['--db', db, '--registry', registry];
  ok(await opsdeck(['enqueue', 'executor', ...common]));
  for (let i = 0; i < 2; i++) ok(await opsdeck(['enqueue', 'api', '--identifier', `api-${i}`, ...common]));
  ok(await opsdeck(['worker', '--until-empty', ...common]));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the runbooks' words on the command line", { concurrency: 2 }, () => {
  it("validate-config: dependsOn gets its guess and its cycle, auth_type is sent under runner_config, pasted JavaScript is one problem and no Node warning", async () => {
    const file = join(dir, 'runbook.yaml');
    await writeFile(file, [
      'services:',
      '  - name: api',
      '    execution_type: http',
      '    auth_type: bearer',
      '    runner_config: { base_url: "https://api.example.com" }',
      'workflows:',
      '  - name: nightly',
      '    tasks:',
      '      - { name: A, service: api, dependsOn: [B] }',
      '      - { name: B, service: api, dependsOn: [A] }',
      '',
    ].join('\n'));
    const run = await opsdeck(['validate-config', file]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /:4:5 services\[0\]\.auth_type: unknown key 'auth_type' here: it belongs under runner_config$/m);
    assert.match(run.stdout, /:9:34 workflows\[0\]\.tasks\[0\]\.dependsOn: unknown key 'dependsOn': did you mean 'depends_on'\?/);
    assert.match(run.stdout, /dependency cycle: A -> B -> A/);

    const pasted = join(dir, 'pasted.yaml');
    await writeFile(pasted, ['services:', '  - { name: etl, execution_type: noop }', 'workflows:', '  - tasks: [', "    { name: 'A', dependsOn: ['B'] },", "    { name: 'B', dependsOn: ['A'] }", '  ]', ''].join('\n'));
    const js = await opsdeck(['validate-config', pasted]);
    assert.equal(js.code, 1);
    assert.doesNotMatch(js.stderr, /\(node:\d+\)|Warning|stringified/, 'no process warning');
    assert.match(js.stdout, /pasted\.yaml:5:5 workflows\[0\]: a key here is a \{ … \} mapping, and a key must be a plain name: write each entry as "- name: A"/);
    assert.match(js.stdout, /workflows\[0\]\.tasks: needs at least one task$/m);
    assert.doesNotMatch(js.stdout, /Too small|workflows\[0\]\.\{/);
  });

  it('a mistyped queue or service beside an empty list is named with the one meant; a known queue with no such jobs is not', async () => {
    const queue = await opsdeck(['jobs', '--queue', 'defualt', '--db', db]);
    assert.equal(queue.code, 0);
    assert.equal(queue.stdout.trim(), 'no jobs match');
    assert.equal(oneLine(queue.stderr), 'opsdeck: no queue named defualt (did you mean default?): no service, schedule or job uses it; known: default, fast');
    // No registry here: the store's jobs know the service, in its own letter case.
    const upper = await opsdeck(['jobs', '--service', 'EXECUTOR', '--db', db]);
    assert.equal(upper.code, 0);
    assert.match(oneLine(upper.stderr), /^opsdeck: no service named EXECUTOR \(did you mean executor\?\): no registry is loaded here, and no job, breaker or worker names it/);
    const known = await opsdeck(['jobs', '--queue', 'fast', '--status', 'running', '--db', db]);
    assert.deepEqual([known.code, known.stdout.trim(), known.stderr], [0, 'no jobs match', '']);
    for (const args of [['rate-limit', 'tune', 'EXECUTOR', '--max-concurrent', '2'], ['breaker', 'reset', 'EXECUTOR']]) {
      const run = await opsdeck([...args, '--db', db, '--registry', registry]);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.stderr, /service EXECUTOR is not in the registry and has no (rate limit tuning|breaker) \(did you mean executor\? known: executor, api\)/);
    }
  });

  it("a search for a failure class's word that finds nothing points to --class", async () => {
    for (const text of ['timeout', 'Connection timeout']) {
      const run = await opsdeck(['jobs', '--search', text, '--db', db]);
      assert.equal(run.stdout.trim(), 'no jobs match');
      assert.match(run.stderr, /--class timeout lists the jobs that failed of it/, text);
    }
    assert.match(ok(await opsdeck(['jobs', '--class', 'timeout', '--db', db])), /executor/, 'the hint finds them');
  });

  it("other systems' statuses, breaker status, and the runbooks' command words are understood or named", async () => {
    const status = await opsdeck(['jobs', '--status', 'in_progress', '--db', db]);
    assert.equal(status.code, 2);
    assert.match(status.stderr, /^opsdeck: --status: "in_progress" is no status \(opsdeck calls it running\); the statuses are pending, running/);
    assert.match((await opsdeck(['jobs', '--status', 'queued', '--db', db])).stderr, /opsdeck calls it pending/);
    assert.match((await opsdeck(['jobs', '--status', 'failde', '--db', db])).stderr, /\(did you mean failed\?\)/);

    const breakers = ok(await opsdeck(['breaker', 'status', '--db', db, '--registry', registry]));
    assert.match(breakers, /^SERVICE\s+STATE/m);
    assert.match(breakers, /^executor\s+closed\s+auto\s+1\/5 \(1 call\)\s/m, 'one call, not "1 calls"');
    const one = ok(await opsdeck(['breaker', 'list', 'api', '--db', db, '--registry', registry]));
    assert.match(one, /^api\s/m);
    assert.doesNotMatch(one, /^executor\s/m);
    const typo = await opsdeck(['breaker', 'status', 'apy', '--db', db, '--registry', registry]);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /no breaker for service apy \(did you mean api\? known: /);

    assert.match(ok(await opsdeck(['heartbeats', '--db', db])), /no workers|WORKER|ID/i);
    assert.match(ok(await opsdeck(['dead-letter-queue', 'groups', '--db', db])), /upstream said 503/);
    for (const [word, says] of [['execution', /opsdeck job ID traces one/], ['executions', /a workflow's executions are its runs: opsdeck workflow runs --status failed/], ['scheduler', /opsdeck runs no scheduler service: .*opsdeck health-check scheduler/], ['disk_space', /opsdeck watches no host's disk; opsdeck diagnose shows the store's size, opsdeck prune --dry-run/], ['profile', /opsdeck performance --by service/], ['breakpoint', /opsdeck has no step mode: opsdeck pause QUEUE holds/], ['debug', /opsdeck worker --log-level debug/], ['memory', /opsdeck workers shows each worker's memory/], ['cost', /opsdeck keeps no cost figures/]] as const) {
      const run = await opsdeck([word, '10']);
      assert.equal(run.code, 2, word);
      assert.match(run.stderr, says, word);
    }
  });

  it('dlq groups under a search that matches nothing says so, with how many are open; services shows max_concurrent', async () => {
    for (const search of ['%', "'", '\\']) {
      const run = ok(await opsdeck(['dlq', 'groups', '--search', search, '--db', db]));
      assert.equal(run.trim(), 'no dead letters match (3 open: opsdeck dlq groups lists them)', search);
    }
    const services = ok(await opsdeck(['services', '--registry', registry]));
    assert.match(services, /^api\s+noop\s+fast\s+300s\s+4 across workers\s/m);
    assert.match(services, /opsdeck rate-limit list shows the limits in force, tunings included/);
  });
});

describe('a store URL password is redacted alike everywhere', () => {
  let pg: TestDatabase;
  before(async () => {
    pg = await createTestDatabase();
  });
  after(async () => {
    await pg?.drop();
  });

  it('health-check and diagnose both write [redacted]', async () => {
    const url = new URL(pg.url);
    url.password = 'hunter2secret';
    ok(await opsdeck(['migrate', '--db', url.toString()]));
    for (const command of ['health-check', 'diagnose']) {
      const run = await opsdeck([command, '--db', url.toString()]);
      const all = run.stdout + run.stderr;
      assert.doesNotMatch(all, /hunter2secret|\*\*\*/, command);
      assert.match(all, /\[redacted\]@/, command);
    }
  });
});
