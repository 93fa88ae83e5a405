import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { stringify } from 'yaml';
import { findingsInBothThemes, report } from './support/axe.ts';
import { callThroughPage } from './support/call.ts';
import { startConsole, type RunningConsole } from './support/serve.ts';

/*
 * Issue 19's bar for alerts: a failure spike fires a notice in the page, a webhook call and an entry on
 * the Alerts page, and resolves when it passes. A console of its own: its registry has the rule, its
 * webhook goes to a receiver here (which fails twice before it accepts), and it evaluates every second.
 */

let opsdeck: RunningConsole;
let dir: string;
let hook: http.Server;
const received: Array<{ rule: string; status: string; summary: string }> = [];
let refused = 0;

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-e2e-alerts-'));
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (refused < 2) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      received.push(JSON.parse(body) as { rule: string; status: string; summary: string });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const port = (hook.address() as AddressInfo).port;
  const registry = join(dir, 'registry.yaml');
  await writeFile(
    registry,
    stringify({
      services: [
        { name: 'spiky', execution_type: 'noop', queue: 'default', runner_config: { sleep_ms: 5, fail: true, fail_retryable: false, fail_message: 'upstream returned 503' }, circuit_breaker: { failure_threshold: 1000, minimum_volume: 1000 } },
      ],
      alerts: [
        {
          name: 'failure-spike',
          kind: 'failure_rate',
          service: 'spiky',
          threshold: 0.5,
          window: '5m',
          min_volume: 4,
          severity: 'critical',
          channels: [{ type: 'desktop' }, { type: 'webhook', url_env_var: 'E2E_ALERT_HOOK' }],
        },
      ],
    }),
  );
  opsdeck = await startConsole({ db: join(dir, 'alerts.db'), registry, env: { OPSDECK_ALERTS_EVERY: '1s', E2E_ALERT_HOOK: `http://127.0.0.1:${port}/hook` } });
});

test.afterAll(async () => {
  await opsdeck?.stop();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUNBOOK_RULE = 'name: high_error_rate\ncondition: "error_rate > 0.05"\naction: send_email\nrecipients: ["admin@example.com"]\n';

/** What `opsdeck alerts save-rule` prints of the text's problems, each as the console words it (no file name). */
async function saveRuleSays(text: string): Promise<string[]> {
  const file = join(dir, 'rule.yaml');
  await writeFile(file, text);
  const run = spawnSync(process.execPath, ['bin/opsdeck.js', 'alerts', 'save-rule', file, '--db', join(dir, 'cli.db')], { cwd: REPO, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1' } });
  expect(run.status, run.stderr).toBe(1);
  const problems = run.stderr.split('\n').filter((line) => line.startsWith(`${file}:`));
  expect(problems.length, run.stderr).toBeGreaterThan(2);
  return problems.map((line) => line.replace(`${file}:`, 'line '));
}

async function enqueue(page: Page, jobs: unknown[]): Promise<void> {
  await callThroughPage(page, 'jobs.enqueueMany', { service: 'spiky', jobs });
}

test('a failure spike fires a notice, a webhook call and an Alerts page entry; acknowledged, silenced, then it resolves', async ({ page }) => {
  await page.goto(opsdeck.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: /^Alerts/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
  const firingNow = page.getByRole('region', { name: 'Firing now' });
  await expect(firingNow).toContainText('Nothing is firing.');
  const rules = page.getByRole('table', { name: 'Alert rules' });
  await expect(rules.getByRole('row').filter({ hasText: 'failure-spike' })).toContainText('more than 50% of attempts of spiky fail in 5m');

  // The spike: six jobs, every one of them failing.
  await enqueue(page, Array.from({ length: 6 }, () => ({})));
  const notices = page.getByRole('region', { name: 'Notifications' });
  await expect(notices).toContainText('Alert firing (critical): failure-spike', { timeout: 30_000 });
  const row = firingNow.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'failure-spike' }) });
  await expect(row).toContainText(/6 of 6 attempts of spiky failed/);
  await expect(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: /^Alerts/ })).toContainText('1 firing');
  await expect.poll(() => received.filter((r) => r.status === 'firing').map((r) => r.rule), { timeout: 30_000 }).toEqual(['failure-spike']);
  expect(refused).toBe(2);

  // Checked while it fires, and with the acknowledgement's dialog open.
  const found = await findingsInBothThemes(page, 'Alerts, firing');
  await row.getByRole('button', { name: 'Acknowledge failure-spike' }).click();
  const dialog = page.getByRole('dialog', { name: 'Acknowledge failure-spike' });
  await expect(dialog.getByRole('button', { name: 'Acknowledge' })).toBeDisabled();
  found.push(...(await findingsInBothThemes(page, 'Alerts, acknowledge dialog', ['[role="dialog"]', '.topbar'])));
  expect(found, report(found)).toEqual([]);
  await dialog.getByLabel(/^Note/).fill('upstream incident, failing over');
  await dialog.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(row).toContainText('upstream incident, failing over');

  await row.getByLabel('Silence failure-spike for').selectOption({ label: '30 minutes' });
  await expect(notices).toContainText('failure-spike silenced until');
  await expect(row).toContainText('silenced until');
  await row.getByRole('button', { name: 'Lift the silence of failure-spike' }).click();
  await expect(notices).toContainText('failure-spike is no longer silenced.');

  const audit = (await callThroughPage(page, 'audit.list', { limit: 10 })) as { entries: Array<{ action: string; target: string | null }> };
  expect(audit.entries.filter((e) => e.target === 'failure-spike').map((e) => e.action)).toEqual(['alert.silence', 'alert.silence', 'alert.ack']);

  // It passes: twenty jobs of the same service that succeed bring the window under the threshold.
  await enqueue(page, Array.from({ length: 20 }, () => ({ payload: { fail: false } })));
  await expect(notices).toContainText('Alert resolved: failure-spike', { timeout: 30_000 });
  await expect(firingNow).toContainText('Nothing is firing.');
  await expect.poll(() => received.map((r) => r.status), { timeout: 30_000 }).toEqual(['firing', 'resolved']);
  const history = page.getByRole('table', { name: 'Alert history, newest first' });
  await expect(history.getByRole('row').filter({ hasText: 'resolved' }).first()).toContainText('failure-spike');
  await expect(history.getByRole('row').filter({ hasText: 'firing' }).first()).toContainText('failure-spike');
  // The receiver refused the firing twice: the delivery says it took three tries.
  await expect(history.getByRole('row').filter({ hasText: 'webhook:E2E_ALERT_HOOK' }).filter({ hasText: 'firing delivered' })).toContainText('after 3 tries');
});

test('a rule written in the console: refused with its problems, saved, edited, deleted; the registry\'s stay read-only', async ({ page }) => {
  await page.goto(opsdeck.url);
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: /^Alerts/ }).click();
  const rules = page.getByRole('table', { name: 'Alert rules' });
  const registryRow = rules.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'failure-spike' }) });
  await expect(registryRow).toContainText('registry file');
  await expect(registryRow.getByRole('button', { name: 'Edit rule failure-spike' })).toHaveCount(0);

  await page.getByRole('button', { name: 'New rule' }).click();
  const dialog = page.getByRole('dialog', { name: 'New alert rule' });
  const text = dialog.getByLabel(/^Rule \(YAML/);
  await text.fill('name: backlog\nkind: oldest_due\nolder_than: soon\n');
  await dialog.getByRole('button', { name: 'Save rule' }).click();
  await expect(dialog.getByRole('alert')).toContainText('line 3:13 older_than: must be a duration such as 90s, 10m or 2h');

  // A rule as the runbooks write it: every problem at once, each line what alerts save-rule prints of it.
  await text.fill(RUNBOOK_RULE);
  await dialog.getByRole('button', { name: 'Save rule' }).click();
  await expect(dialog.getByRole('alert').getByRole('listitem')).toHaveText(await saveRuleSays(RUNBOOK_RULE));
  await expect(dialog.getByRole('alert')).toContainText('there is no e-mail channel: point a webhook at your mail relay');
  await expect(dialog.getByRole('alert')).toContainText('a runbook condition "error_rate > 0.05" is kind: failure_rate with threshold: 0.05');
  const found = await findingsInBothThemes(page, 'Alerts, rule editor with problems', ['[role="dialog"]', '.topbar']);
  expect(found, report(found)).toEqual([]);
  await text.fill('name: backlog\nkind: oldest_due\nolder_than: 10m\nseverity: warning\n');
  await dialog.getByRole('button', { name: 'Save rule' }).click();
  await expect(dialog).toHaveCount(0);
  const row = rules.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'backlog' }) });
  await expect(row).toContainText('a due job waits longer than 10m');
  await expect(row).toContainText('console');
  // The evaluator takes it up: evaluated within a few seconds.
  await expect(row).not.toContainText('not evaluated yet', { timeout: 15_000 });

  await row.getByRole('button', { name: 'Edit rule backlog' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit alert rule backlog' });
  // A warning does not stop the save, as it does not stop save-rule: the notice says it.
  await edit.getByLabel(/^Rule \(YAML/).fill('name: backlog\nkind: oldest_due\nolder_than: 30m\nchannels:\n  - { type: webhook, url_env_var: E2E_UNSET_HOOK }\n');
  await edit.getByRole('button', { name: 'Save rule' }).click();
  await expect(row).toContainText('a due job waits longer than 30m');
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Saved alert rule backlog, with a warning: line 5:35 channels[0].url_env_var: warning: environment variable E2E_UNSET_HOOK');

  await row.getByRole('button', { name: 'Delete rule backlog' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' })).toContainText('Deleted alert rule backlog');
  await expect(rules.getByRole('rowheader', { name: 'backlog' })).toHaveCount(0);
  const audit = (await callThroughPage(page, 'audit.list', { limit: 10 })) as { entries: Array<{ action: string; target: string | null }> };
  expect(audit.entries.filter((e) => e.target === 'backlog').map((e) => e.action)).toEqual(['alert.rule_delete', 'alert.rule_save', 'alert.rule_save']);
});
