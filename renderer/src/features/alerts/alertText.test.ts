import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertRule } from '../../../../shared/alerts.ts';
import { channelText, isSilenced, notFiringText, ruleCondition, transitionText } from './alertText.ts';

describe('alert texts', () => {
  test('a rule says what it watches', () => {
    assert.equal(ruleCondition(AlertRule.parse({ name: 'a', kind: 'failure_rate', threshold: 0.25, service: 'api' })), 'more than 25% of attempts of api fail in 5m (at least 10 attempts)');
    assert.equal(ruleCondition(AlertRule.parse({ name: 'a', kind: 'oldest_due', older_than: '10m' })), 'a due job waits longer than 10m');
    assert.equal(ruleCondition(AlertRule.parse({ name: 'a', kind: 'oldest_due', queue: 'billing', older_than: '10m' })), 'a due job of queue billing waits longer than 10m');
    assert.equal(channelText({ type: 'slack', url_env_var: 'SLACK_URL' }), 'slack (SLACK_URL)');
  });

  test('silenced only while the silence lasts', () => {
    const state = { rule: 'a', severity: 'warning' as const, firing: true, since: '', summary: '', advice: [], value: null, acked_by: null, acked_at: null, ack_note: null, silenced_by: 'x', evaluated_at: '' };
    assert.equal(isSilenced({ ...state, silenced_until: new Date(Date.now() + 60_000).toISOString() }, Date.now()), true);
    assert.equal(isSilenced({ ...state, silenced_until: new Date(Date.now() - 1).toISOString() }, Date.now()), false);
    assert.equal(isSilenced(null, Date.now()), false);
  });

  test('the banner names the rule and what was measured', () => {
    assert.equal(transitionText({ rule: 'spike', status: 'firing', severity: 'critical', summary: '8 of 12 failed' }), 'Alert firing (critical): spike: 8 of 12 failed');
    assert.equal(transitionText({ rule: 'spike', status: 'resolved', severity: 'critical', summary: '0 of 3 failed' }), 'Alert resolved: spike: 0 of 3 failed');
  });
});

describe('Firing now, while nothing fires', () => {
  test('with no rule it says none can fire, and how to add one with the page\'s own control', () => {
    assert.deepEqual(notFiringText(0), { title: 'No alert rules, so nothing can fire.', detail: 'Add one with New rule, under Rules below.' });
  });

  test('with rules it says nothing is firing', () => {
    assert.deepEqual(notFiringText(2), { title: 'Nothing is firing.', detail: null });
  });
});
