import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_REGISTRY_PATH } from '../api/handlers/demo.ts';
import { openStore } from '../store/open.ts';
import { ok, opsdeck } from './testing/opsdeck.ts';

const NO_REGISTRY = 'no registry loaded: pass --registry FILE (or set OPSDECK_REGISTRY)';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-no-registry-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a worker without a registry', () => {
  it('refuses to start, exit 2, saying it would run nothing and how to give it one', async () => {
    const db = join(dir, 'worker.db');
    const bare = await opsdeck(['worker', '--until-empty', '--db', db]);
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, '', 'no "worker started": nothing looks alive');
    assert.equal(bare.stderr.trim(), `opsdeck: a worker without a registry runs nothing (every job it claims goes back unrun): ${NO_REGISTRY}; see opsdeck worker --help`);
    const fromEnv = await opsdeck(['worker', '--until-empty', '--log-format', 'text', '--db', db], { OPSDECK_REGISTRY: DEMO_REGISTRY_PATH });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stdout, /worker started/);
  });
});

describe('commands that read the registry, with none loaded', { concurrency: 2 }, () => {
  let db: string;
  before(async () => {
    db = join(dir, 'pending.db');
    // Jobs of the demo's services wait, and a worker with the registry evaluated its alert rules: the store
    // knows them, this process does not.
    for (let i = 0; i < 3; i++) ok(await opsdeck(['enqueue', 'local_api', '--db', db, '--registry', DEMO_REGISTRY_PATH]));
    const store = await openStore(db);
    await store.recordAlertEvaluation([{ rule: 'failure-spike', severity: 'critical', firing: false, summary: 'quiet', value: 0 }], new Date());
    await store.close();
  });

  it('runners and health-check runner say no registry is loaded for each kind, not that each has no services', async () => {
    for (const [args, prefix] of [[['runners'], ''], [['health-check', 'runner'], 'runner:']] as const) {
      const run = await opsdeck([...args, '--db', db]);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout, /no services/);
      for (const kind of ['shell', 'http', 'docker', 'serverless', 'noop']) assert.match(run.stdout, new RegExp(`^${prefix}${kind} .*${NO_REGISTRY.replace(/[()]/g, '\\$&')}$`, 'm'));
    }
  });

  it('rate-limit says no registry is loaded, not that no service has a rate limit; tune --defaults that one is needed to know the budget', async () => {
    const list = await opsdeck(['rate-limit', '--db', db]);
    assert.equal(list.code, 0, list.stderr);
    assert.doesNotMatch(list.stdout, /no service has a rate limit/);
    assert.match(list.stderr, new RegExp(`^opsdeck: ${NO_REGISTRY.replace(/[()]/g, '\\$&')}; the rate limits and max_concurrent are the registry's`, 'm'));
    const defaults = await opsdeck(['rate-limit', 'tune', 'local_api', '--defaults', '--db', db]);
    assert.equal(defaults.code, 0, defaults.stderr);
    assert.equal(defaults.stdout.trim(), `rate limit local_api: not tuned; a registry is needed to know that budget: ${NO_REGISTRY}`);
    assert.doesNotMatch(defaults.stdout, /already the registry's \(none\)/);
  });

  it('workflow list, services and test-connectivity, which are the registry alone, refuse with exit 2', async () => {
    for (const args of [['workflow', 'list'], ['services'], ['test-connectivity']]) {
      const run = await opsdeck([...args, '--db', db]);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`^opsdeck: ${NO_REGISTRY.replace(/[()]/g, '\\$&')}`), args.join(' '));
      assert.doesNotMatch(run.stderr, /no workflows in the registry|no HTTP services/);
    }
  });

  it('a workflow or service named is not known here, not "not in the registry (known: none)"', async () => {
    const workflow = await opsdeck(['workflow', 'run', 'nightly_report', '--db', db]);
    assert.equal(workflow.code, 1);
    assert.equal(workflow.stderr.trim(), `opsdeck: workflow nightly_report is not known here: ${NO_REGISTRY}`);
    const token = await opsdeck(['validate-token', 'local_api', '--db', db]);
    assert.equal(token.code, 1);
    assert.equal(token.stderr.trim(), `opsdeck: service local_api is not known here: ${NO_REGISTRY}`);
  });

  it('health-check registry warns while jobs wait whose services this process cannot know, and is ok on an empty store', async () => {
    const run = await opsdeck(['health-check', 'registry', '--db', db]);
    assert.equal(run.code, 0, 'a warning, not a failure');
    assert.match(run.stdout, new RegExp(`^registry +WARN +${NO_REGISTRY.replace(/[()]/g, '\\$&')}; 3 job\\(s\\) pending in the store, of service\\(s\\) this process cannot know: local_api$`, 'm'));
    const empty = join(dir, 'empty.db');
    ok(await opsdeck(['migrate', '--db', empty]));
    const quiet = await opsdeck(['health-check', 'registry', '--db', empty]);
    assert.equal(quiet.code, 0);
    assert.match(quiet.stdout, new RegExp(`^registry +ok +${NO_REGISTRY.replace(/[()]/g, '\\$&')}$`, 'm'));
  });

  it("alerts says no registry is loaded, and a rule known only by its state is no registry's, not \"not in this registry\"", async () => {
    const run = await opsdeck(['alerts', '--db', db]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^failure-spike +\(no registry loaded\) +critical +ok/m);
    assert.doesNotMatch(run.stdout, /not in this registry/);
    assert.match(run.stderr, new RegExp(`^opsdeck: ${NO_REGISTRY.replace(/[()]/g, '\\$&')}; the registry's rules are not known here`, 'm'));
  });

  it('enqueue, breaker list and prune say so beside their answer', async () => {
    const enqueued = await opsdeck(['enqueue', 'local_api', '--db', db]);
    assert.equal(enqueued.code, 0, enqueued.stderr);
    assert.match(enqueued.stderr, new RegExp(`^opsdeck: ${NO_REGISTRY.replace(/[()]/g, '\\$&')}; service local_api was not looked up`));
    const breakers = await opsdeck(['breaker', 'list', '--db', db]);
    assert.equal(breakers.code, 0, breakers.stderr);
    assert.match(breakers.stderr, /only the breakers kept in the store are listed, each with opsdeck's default settings/);
    assert.doesNotMatch(breakers.stdout, /load a registry with --registry/);
    const prune = await opsdeck(['prune', '--dry-run', '--db', db]);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stderr, /the retention is opsdeck's defaults, not the registry's/);
  });
});
