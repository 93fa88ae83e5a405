import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { calls } from '../../shared/contract.ts';
import type { HealthCheck } from '../../shared/domain.ts';
import { alertChannelsCheck } from './alertChannelsCheck.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { ok } from './testing/responses.ts';

/**
 * Health-check's alerts check, on a real store: an alert channel's URL variable missing from the shell
 * health-check runs in is said to be that process's, the workers' need named, and the store's record of the
 * channel's deliveries says whether they actually fail.
 */

const REGISTRY = `
services:
  - name: api
    execution_type: noop
alerts:
  - name: spike
    kind: failure_rate
    threshold: 0.5
    channels:
      - { type: desktop }
      - { type: webhook, url_env_var: HOOK_URL }
`;

let t: TestContext | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function context(registry = REGISTRY): Promise<TestContext> {
  t = await createTestContext(registry);
  return t;
}

async function healthOf(tc: TestContext, name: string): Promise<HealthCheck> {
  const report = calls['health.check'].output.parse(ok(await dispatch('health.check', { check: name }, tc.ctx)));
  const [check] = report.checks;
  assert.ok(check && report.checks.length === 1, JSON.stringify(report));
  return check;
}

describe('the alerts check of health-check', () => {
  it("says a variable missing here is this process's, that the evaluating workers need it, and that no delivery tells whether they have it", async () => {
    const tc = await context();
    const alerts = await healthOf(tc, 'alerts');
    assert.deepEqual([alerts.ok, alerts.warning], [true, true]);
    assert.equal(
      alerts.detail,
      'rule spike, webhook:HOOK_URL: environment variable HOOK_URL is not set in this process, which sends no alerts: the workers that evaluate alerts need it in their own environment; no delivery through it is recorded yet, so whether the workers have it is not known',
    );
    // The registry's own warning of it is left to this check, which says what the store knows.
    assert.deepEqual(tc.ctx.registry.problems.map((p) => p.path), ['alerts[0].channels[1].url_env_var']);
    const registry = await healthOf(tc, 'registry');
    assert.deepEqual([registry.ok, registry.warning, registry.detail], [true, undefined, '1 service(s) from text']);
  });

  it('is no warning once a delivery through the channel succeeded: the process that sent it has the variable', async () => {
    const tc = await context();
    await tc.store.recordAlertDelivery({ rule: 'spike', severity: 'warning', ok: true, channel: 'webhook:HOOK_URL', summary: 'firing delivered (HTTP 204)' });
    const alerts = await alertChannelsCheck(tc.ctx);
    assert.equal(alerts.warning, undefined);
    assert.match(alerts.detail, /^1 webhook or Slack channel\(s\) of alert rules, none with a failed last delivery; rule spike, webhook:HOOK_URL: environment variable HOOK_URL is not set in this process, .*; its last delivery succeeded \(\d{4}-\d\d-\d\dT[^)]+\): the process that sent it has it$/);
  });

  it('warns when the last delivery failed, quoting the evaluating process, whether or not this process has the variable', async () => {
    const tc = await context();
    await tc.store.recordAlertDelivery({ rule: 'spike', severity: 'warning', ok: true, channel: 'webhook:HOOK_URL', summary: 'firing delivered (HTTP 204)' });
    await tc.store.recordAlertDelivery({ rule: 'spike', severity: 'warning', ok: false, channel: 'webhook:HOOK_URL', summary: 'resolved not sent: the environment variable HOOK_URL is not set on this machine' });
    const unset = await alertChannelsCheck(tc.ctx);
    assert.equal(unset.warning, true);
    assert.match(unset.detail, /HOOK_URL is not set in this process, .*; its last delivery failed \([^)]+\); the evaluating process said: resolved not sent: the environment variable HOOK_URL is not set on this machine$/);
    tc.ctx.env = { HOOK_URL: 'https://hooks.example/x' };
    const set = await alertChannelsCheck(tc.ctx);
    assert.equal(set.warning, true);
    assert.match(set.detail, /^rule spike, webhook:HOOK_URL: its last delivery failed \([^)]+\); the evaluating process said: resolved not sent/);
  });

  it('is quiet when the variable is set here and nothing failed, or no rule sends anywhere but the desktop', async () => {
    const tc = await context();
    tc.ctx.env = { HOOK_URL: 'https://hooks.example/x' };
    assert.deepEqual(await alertChannelsCheck(tc.ctx), { name: 'alerts', ok: true, detail: '1 webhook or Slack channel(s) of alert rules, none with a failed last delivery' });
    await tc.cleanup();
    const bare = await context('services: []\nalerts:\n  - { name: lost, kind: worker_lost }\n');
    assert.deepEqual(await alertChannelsCheck(bare.ctx), { name: 'alerts', ok: true, detail: 'no alert rule sends to a webhook or Slack' });
  });

  it("counts the console's rules too, and in a host that may evaluate the alerts says the variable is missing where it would send", async () => {
    const tc = await context('services: []\n');
    await tc.store.saveAlertRule({ name: 'backlog', kind: 'oldest_due', older_than: '10m', severity: 'warning', channels: [{ type: 'slack', url_env_var: 'SLACK_URL' }] }, tc.ctx.actor);
    tc.ctx.answeredBy = 'console';
    const alerts = await alertChannelsCheck(tc.ctx);
    assert.equal(alerts.warning, true);
    assert.match(alerts.detail, /^rule backlog, slack:SLACK_URL: environment variable SLACK_URL is not set in the console's process, which evaluates the alerts whenever it holds the store's lease: it cannot send this channel then; no delivery/);
  });
});
