import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALERT_RULE_TEXT_MAX } from '../../shared/alerts.ts';
import { calls } from '../../shared/contract.ts';
import { parseAlertRule } from '../config/alertRuleFile.ts';
import { dispatch } from './dispatch.ts';
import { createTestContext, type TestContext } from './testing/apiTestContext.ts';
import { failure, ok } from './testing/responses.ts';

/**
 * `alerts.checkRule`, the console's rule editor's check: the host reads the text as `alerts save-rule`
 * reads a file, so the console gives the same problems with the same advice, all at once.
 */

const REGISTRY = `
services:
  - name: api
    execution_type: noop
`;

const RUNBOOK_RULE = 'name: high_error_rate\ncondition: "error_rate > 0.05"\naction: send_email\nrecipients: ["admin@example.com"]\n';

let t: TestContext;
before(async () => {
  t = await createTestContext(REGISTRY);
});
after(async () => t.cleanup());

async function check(text: string) {
  return calls['alerts.checkRule'].output.parse(ok(await dispatch('alerts.checkRule', { text }, t.ctx)));
}

describe('alerts.checkRule', () => {
  it("answers a runbook's rule with every problem at its line and the runbooks' advice, as save-rule does, and saves nothing", async () => {
    const audits = await t.auditCount();
    const checked = await check(RUNBOOK_RULE);
    assert.equal(checked.rule, null);
    assert.deepEqual(checked.problems, parseAlertRule(RUNBOOK_RULE, t.ctx.env, new Set(['api'])).problems);
    assert.deepEqual(
      checked.problems.map((p) => `${p.line}:${p.col} ${p.path}`),
      ['1:1 kind', '1:1 threshold', '2:1 condition', '3:1 action', '4:1 recipients'],
    );
    assert.match(checked.problems[0]?.message ?? '', /a runbook condition "error_rate > 0\.05" is kind: failure_rate with threshold: 0\.05/);
    assert.match(checked.problems[3]?.message ?? '', /there is no e-mail channel: point a webhook at your mail relay/);
    const disk = await check('name: low_disk_space\ncondition: "disk_free < 1GB"\nseverity: warning\n');
    assert.match(disk.problems[0]?.message ?? '', /^opsdeck has no disk-space kind/);
    const fraction = await check('name: spike\nkind: failure_rate\nthreshold: 5\n');
    assert.deepEqual(fraction.problems.map((p) => p.message), ['the threshold is a fraction of attempts (0.05 = 5%), at most 1: for 5% write 0.05']);
    assert.equal(await t.auditCount(), audits, 'a check writes nothing');
    assert.deepEqual(await t.store.listAlertRules(), []);
  });

  it('gives back the rule, defaults filled, with the warnings save-rule prints: a service this registry lacks, a channel variable unset here', async () => {
    const checked = await check('name: x\nkind: failure_rate\nthreshold: 0.5\nservice: nope\nchannels:\n  - { type: webhook, url_env_var: HOOK_URL }\n');
    assert.deepEqual(checked.rule, { name: 'x', kind: 'failure_rate', threshold: 0.5, service: 'nope', window: '5m', min_volume: 10, severity: 'warning', channels: [{ type: 'webhook', url_env_var: 'HOOK_URL' }] });
    assert.deepEqual(checked.problems.map((p) => [p.path, p.severity]), [['service', 'warning'], ['channels[0].url_env_var', 'warning']]);
    assert.match(checked.problems[0]?.message ?? '', /service nope is not in this registry/);
  });

  it('refuses text past what a rule can be, or text no store can keep, naming the field and the limit', async () => {
    const long = failure(await dispatch('alerts.checkRule', { text: `name: x\ndescription: ${'y'.repeat(ALERT_RULE_TEXT_MAX)}\n` }, t.ctx));
    assert.equal(long.code, 'invalid_input');
    assert.match(long.message, new RegExp(`text: an alert rule is one rule of YAML, at most ${ALERT_RULE_TEXT_MAX} characters`));
    const nul = failure(await dispatch('alerts.checkRule', { text: 'name: x\u0000\n' }, t.ctx));
    assert.equal(nul.code, 'invalid_input');
    assert.match(nul.message, /text/);
    assert.equal(failure(await dispatch('alerts.checkRule', { text: 'name: x', rule: {} }, t.ctx)).code, 'invalid_input');
  });

  it('reads hostile text within the limit to a short, clear answer: nesting past reading, thousands of keys, an alias bomb', async () => {
    const half = Math.floor(ALERT_RULE_TEXT_MAX / 2) - 20;
    const deep = await check(`name: x\nkind: ${'['.repeat(half)}${']'.repeat(half)}\n`);
    assert.equal(deep.rule, null);
    assert.deepEqual(deep.problems.map((p) => p.message), ['YAML: nested too deep to read (collections inside collections, hundreds deep)']);
    const keys = await check(Array.from({ length: 1500 }, (_, i) => `k${i}: 1`).join('\n'));
    assert.equal(keys.problems.length, 51, 'cut at fifty, as validate-config cuts a registry\'s');
    assert.match(keys.problems[50]?.message ?? '', /^and \d+ more problem\(s\) not listed: fix these first$/);
    const bomb = await check(`a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nname: x\n`);
    assert.equal(bomb.rule, null);
    assert.match(bomb.problems[0]?.message ?? '', /^YAML: Excessive alias count/);
  });
});
