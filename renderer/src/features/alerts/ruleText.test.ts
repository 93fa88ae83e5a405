import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERT_KINDS, AlertRule } from '../../../../shared/alerts.ts';
import { NEW_RULE_TEXT, ruleToText, textToRule } from './ruleText.ts';

test('a rule goes to text and back; the starting text is a valid rule; broken text says why', () => {
  const start = textToRule(NEW_RULE_TEXT);
  assert.ok(start.ok);
  assert.equal(AlertRule.safeParse(start.ok ? start.value : null).success, true);
  const rule = AlertRule.parse({ name: 'backlog', kind: 'oldest_due', older_than: '10m' });
  const back = textToRule(ruleToText(rule));
  assert.deepEqual(back.ok ? back.value : null, rule);
  const broken = textToRule('name: [unclosed');
  assert.equal(broken.ok, false);
  assert.match(broken.ok ? '' : broken.message, /^not YAML/);
  assert.equal(textToRule('- a\n- b').ok, false);
});

test('the starting text names every kind of rule there is, schedule_missed too', () => {
  const kinds = /^kind: \S+ +# (.*)$/m.exec(NEW_RULE_TEXT)?.[1]?.split(', ');
  assert.deepEqual(kinds, [...ALERT_KINDS]);
  assert.ok(kinds?.includes('schedule_missed'));
});
