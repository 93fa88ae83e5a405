import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRuntime } from '../api/runtime.ts';
import { formatProblem } from '../config/load.ts';
import { openStore } from '../store/open.ts';
import { call } from './call.ts';
import { opsdeck } from './testing/opsdeck.ts';
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

describe('opsdeck alerts', () => {
  let dir: string;
  let db: string;
  let registry: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-alerts-cli-'));
    db = join(dir, 'opsdeck.db');
    registry = join(dir, 'registry.yaml');
    await writeFile(
      registry,
      ['services:', '  - name: limited', '    execution_type: noop', '    rate_limit: { limit: 10, per: 1s }', '    max_concurrent: 2', 'alerts:', '  - name: failure-spike', '    kind: failure_rate', '    threshold: 0.5', '    severity: critical', '  - name: nobody', '    kind: no_live_worker', ''].join('\n'),
    );
    const store = await openStore(db);
    await store.close();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('exits 0 while nothing fires, 1 while a rule does and 3 while no process evaluates them, for cron and monitoring scripts', async () => {
    const never = await opsdeck(['alerts', '--db', db, '--registry', registry, '--json']);
    assert.equal(never.code, 3, 'rules nobody has evaluated say nothing: no news is not good news');
    assert.deepEqual(JSON.parse(never.stdout).stale, true);
    assert.match(never.stderr, /no process has evaluated these rules yet/);

    const fresh = await openStore(db);
    await fresh.recordAlertEvaluation([{ rule: 'nobody', severity: 'warning', firing: false, summary: 'no job is due', value: 0 }], new Date());
    await fresh.close();
    const quiet = await opsdeck(['alerts', '--db', db, '--registry', registry, '--json']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.deepEqual([JSON.parse(quiet.stdout).firing, JSON.parse(quiet.stdout).stale], [0, false]);

    const store = await openStore(db);
    await store.recordAlertEvaluation(
      [
        { rule: 'failure-spike', severity: 'critical', firing: true, summary: '9 of 10 attempts failed (90%) in the last 5m', value: 0.9 },
        { rule: 'nobody', severity: 'warning', firing: false, summary: 'no job is due', value: 0 },
      ],
      new Date(),
    );
    await store.close();
    const firing = await opsdeck(['alerts', '--db', db, '--registry', registry]);
    assert.equal(firing.code, 1);
    assert.match(firing.stdout, /failure-spike\s+failure_rate\s+critical\s+FIRING/);
    assert.match(firing.stdout, /1 firing: failure-spike/);
    // Without this host's registry the fleet's states still tell what fires.
    const bare = await opsdeck(['alerts', '--db', db, '--json']);
    assert.equal(bare.code, 1);
    assert.deepEqual(JSON.parse(bare.stdout).alerts.map((a: { name: string }) => a.name), ['failure-spike', 'nobody']);
  });

  it('acknowledges with a note and silences, audited; refuses what is wrong with a clear error', async () => {
    const noNote = await opsdeck(['alerts', 'ack', 'failure-spike', '--db', db]);
    assert.equal(noNote.code, 2);
    assert.match(noNote.stderr, /needs --note/);
    const ack = await opsdeck(['alerts', 'ack', 'failure-spike', '--note', 'failing over the upstream', '--db', db, '--registry', registry]);
    assert.equal(ack.code, 0, ack.stderr);
    assert.match(ack.stdout, /acknowledged by .*: failing over the upstream/);
    const quietAck = await opsdeck(['alerts', 'ack', 'nobody', '--note', 'x', '--db', db, '--registry', registry]);
    assert.equal(quietAck.code, 1);
    assert.match(quietAck.stderr, /is not firing/);
    const unknown = await opsdeck(['alerts', 'silence', 'typo', '--for', '30m', '--db', db, '--registry', registry]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no alert named typo \(known: failure-spike, nobody\)/);
    const silenced = await opsdeck(['alerts', 'silence', 'failure-spike', '--for', '2h', '--reason', 'maintenance', '--db', db, '--registry', registry]);
    assert.equal(silenced.code, 0, silenced.stderr);
    assert.match(silenced.stdout, /silenced until/);
    const audit = await opsdeck(['audit', '--db', db, '--json']);
    const actions = (JSON.parse(audit.stdout) as { entries: Array<{ action: string }> }).entries.map((e) => e.action);
    assert.deepEqual(actions.slice(0, 2), ['alert.silence', 'alert.ack']);
    const history = await opsdeck(['alerts', 'history', 'failure-spike', '--db', db]);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /failure-spike\s+firing\s+critical/);
  });

  it('saves and deletes a rule kept in the store; a broken file or a registry rule is refused', async () => {
    const file = join(dir, 'rule.yaml');
    await writeFile(file, 'name: backlog\nkind: oldest_due\nolder_than: soon\n');
    const broken = await opsdeck(['alerts', 'save-rule', file, '--db', db]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /rule\.yaml:3:13 older_than: must be a duration/);
    assert.match(broken.stderr, /is not an alert rule: 1 problem above; nothing was saved/);
    await writeFile(file, 'name: high_error_rate\ncondition: "error_rate > 0.05"\naction: send_email\nrecipients: ["admin@example.com"]\n');
    const runbook = await opsdeck(['alerts', 'save-rule', file, '--db', db]);
    assert.equal(runbook.code, 1);
    assert.match(runbook.stderr, /rule\.yaml:1:1 kind: kind must be one of .* is kind: failure_rate with threshold: 0\.05\)/);
    assert.match(runbook.stderr, /rule\.yaml:4:1 recipients: unknown key 'recipients': there is no e-mail channel: point a webhook at your mail relay/);
    assert.match(runbook.stderr, /is not an alert rule: 5 problems above; nothing was saved/, 'every problem in one pass');
    await writeFile(file, 'name: backlog\nkind: oldest_due\nolder_than: 10m\n');
    const saved = await opsdeck(['alerts', 'save-rule', file, '--db', db, '--registry', registry]);
    assert.equal(saved.code, 0, saved.stderr);
    const listed = await opsdeck(['alerts', '--db', db, '--registry', registry, '--json']);
    const backlog = (JSON.parse(listed.stdout) as { alerts: Array<{ name: string; source: string | null }> }).alerts.find((a) => a.name === 'backlog');
    assert.equal(backlog?.source, 'console');
    await writeFile(file, 'name: failure-spike\nkind: worker_lost\n');
    const clash = await opsdeck(['alerts', 'save-rule', file, '--db', db, '--registry', registry]);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /failure-spike is defined in the registry file/);
    assert.equal((await opsdeck(['alerts', 'delete-rule', 'backlog', '--db', db])).code, 0);
    const again = await opsdeck(['alerts', 'delete-rule', 'backlog', '--db', db]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no alert rule named backlog/);
  });

  it("prints the problems the console's rule editor shows (alerts.checkRule), line for line, for the same text", async () => {
    const file = join(dir, 'console.yaml');
    const texts = [
      'name: high_error_rate\ncondition: "error_rate > 0.05"\naction: send_email\nrecipients: ["admin@example.com"]\n',
      'name: low_disk_space\ncondition: "disk_free < 1GB"\naction: send_slack\nchannel: "#ops"\nseverty: info\n',
      'name: spike\nkind: failure-rate\nthreshold: 5\nwindow: banana\n',
    ];
    const env = { ...process.env, OPSDECK_DB: undefined, OPSDECK_REGISTRY: undefined };
    const rt = await createRuntime({ words: CONSOLE_WORDS, db, registryPath: null, env, execute: false });
    try {
      for (const text of texts) {
        await writeFile(file, text);
        const run = await opsdeck(['alerts', 'save-rule', file, '--db', db]);
        assert.equal(run.code, 1);
        const printed = run.stderr.trimEnd().split('\n').slice(0, -1);
        assert.ok(printed.length >= 3, run.stderr);
        const checked = await call(rt.ctx, 'alerts.checkRule', { text });
        assert.equal(checked.rule, null);
        assert.deepEqual(checked.problems.map((p) => formatProblem(file, p)), printed);
      }
    } finally {
      await rt.close();
    }
  });

  it("health-check says a webhook's variable missing from this command is this command's process's, and whether the workers' deliveries failed", async () => {
    const hooked = join(dir, 'hooked.yaml');
    await writeFile(hooked, ['services: []', 'alerts:', '  - name: lost', '    kind: worker_lost', '    channels:', '      - { type: webhook, url_env_var: OPS_HOOK_URL }', ''].join('\n'));
    const before = await opsdeck(['health-check', 'alerts', '--db', db, '--registry', hooked], { OPS_HOOK_URL: undefined });
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /alerts\s+WARN\s+rule lost, webhook:OPS_HOOK_URL: environment variable OPS_HOOK_URL is not set in this command's process, which sends no alerts: the workers that evaluate alerts need it in their own environment; no delivery through it is recorded yet/);
    const store = await openStore(db);
    await store.recordAlertDelivery({ rule: 'lost', severity: 'warning', ok: true, channel: 'webhook:OPS_HOOK_URL', summary: 'firing delivered (HTTP 204)' });
    await store.close();
    const sent = await opsdeck(['health-check', 'alerts', '--db', db, '--registry', hooked], { OPS_HOOK_URL: undefined });
    assert.match(sent.stdout, /alerts\s+ok\s+1 webhook or Slack channel\(s\) of alert rules, none with a failed last delivery; .*its last delivery succeeded/);
    const validated = await opsdeck(['validate-config', hooked], { OPS_HOOK_URL: undefined });
    assert.match(validated.stderr + validated.stdout, /OPS_HOOK_URL is not set where this check ran: whichever process evaluates the alerts \(a worker, opsdeck serve or the desktop\) needs it in its own to send this channel/);
  });

  it('says so when the states are old: no process evaluates the alerts now', async () => {
    const store = await openStore(db);
    await store.recordAlertEvaluation([{ rule: 'nobody', severity: 'warning', firing: true, summary: 'jobs are due and no live worker is running them', value: 1 }], new Date(Date.now() - 10 * 60_000));
    await store.close();
    const old = await opsdeck(['alerts', '--db', db, '--registry', registry]);
    assert.match(old.stderr, /these states were last evaluated 10 min ago .*no process evaluates the alerts now/);
    assert.equal(old.code, 1, 'what fired when last evaluated still says 1');
    const again = await openStore(db);
    await again.recordAlertEvaluation(
      [
        { rule: 'nobody', severity: 'warning', firing: false, summary: 'no job is due', value: 0 },
        { rule: 'failure-spike', severity: 'critical', firing: false, summary: 'quiet', value: 0 },
      ],
      new Date(Date.now() - 10 * 60_000),
    );
    await again.close();
    const quietButOld = await opsdeck(['alerts', '--db', db, '--registry', registry]);
    assert.equal(quietButOld.code, 3, quietButOld.stdout);
    assert.match(quietButOld.stdout, /nothing fired when last evaluated/);
  });

  it('a worker that starts with due jobs does not page "no live worker" for itself, and its evaluation is fresh', async () => {
    const own = join(dir, 'starting.db');
    const seeded = await openStore(own);
    // A job that runs long enough for the worker to evaluate the rules while it runs.
    await seeded.enqueue([{ queue: 'default', service_name: 'limited', execution_type: 'noop', max_attempts: 1, payload: { sleep_ms: 2500 } }]);
    await seeded.close();
    const worker = await opsdeck(['worker', '--until-empty', '--db', own, '--registry', registry], { OPSDECK_ALERTS_EVERY: '1s' });
    assert.equal(worker.code, 0, worker.stderr);
    const after = await opsdeck(['alerts', '--db', own, '--registry', registry, '--json']);
    assert.equal(after.code, 0, after.stdout);
    const nobody = (JSON.parse(after.stdout) as { alerts: Array<{ name: string; state: { firing: boolean } | null }> }).alerts.find((a) => a.name === 'nobody');
    assert.equal(nobody?.state?.firing, false, 'evaluated with the worker registered');
    assert.equal(after.stderr, '', 'fresh states: no staleness warning');
  });

  it('breaker list shows the rate limit in use beside each breaker', async () => {
    const listed = await opsdeck(['breaker', 'list', '--db', db, '--registry', registry]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /RATE LIMIT/);
    assert.match(listed.stdout, /limited .*0\/10 per 1s, 0\/2 running/);
  });
});
