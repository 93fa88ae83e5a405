import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { ALERT_KINDS, AlertRule } from '../../../../shared/alerts.ts';
import { NEW_RULE_TEXT, problemLine, ruleToText, savedNotice } from './ruleText.ts';

test('a rule goes to text and back; the starting text is a valid rule', () => {
  assert.equal(AlertRule.safeParse(parse(NEW_RULE_TEXT)).success, true);
  const rule = AlertRule.parse({ name: 'backlog', kind: 'oldest_due', older_than: '10m' });
  assert.deepEqual(parse(ruleToText(rule)), rule);
});

test('the starting text names every kind of rule there is, schedule_missed too', () => {
  const kinds = /^kind: \S+ +# (.*)$/m.exec(NEW_RULE_TEXT)?.[1]?.split(', ');
  assert.deepEqual(kinds, [...ALERT_KINDS]);
  assert.ok(kinds?.includes('schedule_missed'));
});

test("a problem reads as alerts save-rule prints it, without the file's name; a warning says so", () => {
  assert.equal(
    problemLine({ line: 3, col: 12, path: 'threshold', message: 'the threshold is a fraction of attempts (0.05 = 5%), at most 1: for 5% write 0.05' }),
    'line 3:12 threshold: the threshold is a fraction of attempts (0.05 = 5%), at most 1: for 5% write 0.05',
  );
  assert.equal(problemLine({ line: null, col: null, path: '(document)', message: 'and 3 more problem(s) not listed: fix these first' }), '(document): and 3 more problem(s) not listed: fix these first');
  const unset = { line: 6, col: 35, path: 'channels[0].url_env_var', message: 'environment variable HOOK_URL is not set', severity: 'warning' as const };
  assert.equal(problemLine(unset), 'line 6:35 channels[0].url_env_var: warning: environment variable HOOK_URL is not set');
  assert.equal(savedNotice('backlog', []), 'Saved alert rule backlog.');
  assert.equal(savedNotice('backlog', [unset]), 'Saved alert rule backlog, with a warning: line 6:35 channels[0].url_env_var: warning: environment variable HOOK_URL is not set');
});
