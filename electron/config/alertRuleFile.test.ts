import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAlertRule } from './alertRuleFile.ts';
import { formatProblem } from './load.ts';

const lines = (text: string, env: Record<string, string> = {}, services: Set<string> | null = null): string[] =>
  parseAlertRule(text, env, services).problems.map((p) => formatProblem('rule.yaml', p));

describe('an alert rule file', () => {
  it('gives back the rule when it is one', () => {
    const parsed = parseAlertRule('name: spike\nkind: failure_rate\nthreshold: 0.2\n', {}, null);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.rule?.name, 'spike');
    assert.equal(parsed.rule?.kind, 'failure_rate');
  });

  it('names every problem at its line and column, not only the first', () => {
    const text = 'name: spike\nkind: failure_rate\nthreshold: 5\nwindow: banana\nseverity: loud\nchannels:\n  - { type: webhook, url: http://x }\n';
    const parsed = parseAlertRule(text, {}, null);
    assert.equal(parsed.rule, null);
    assert.deepEqual(lines(text), [
      'rule.yaml:3:12 threshold: the threshold is a fraction of attempts (0.05 = 5%), at most 1: for 5% write 0.05',
      'rule.yaml:4:9 window: must be a duration such as 90s, 10m or 2h',
      'rule.yaml:5:11 severity: severity takes info, warning or critical, not "loud"',
      "rule.yaml:7:5 channels[0].url_env_var: 'url_env_var' is required",
      "rule.yaml:7:22 channels[0].url: unknown key 'url'",
    ]);
  });

  it("words a rule's keys as a rule's: a typo gets its hint, a key of another kind says which kind refuses it", () => {
    assert.deepEqual(lines('name: x\nkind: worker_lost\nservice: api\nseverty: info\n'), [
      "rule.yaml:3:1 service: a worker_lost rule takes no 'service'",
      "rule.yaml:4:1 severty: unknown key 'severty': did you mean 'severity'?",
    ]);
  });

  it("takes a runbook's rule in one pass: the missing kind hides neither the unknown keys nor the missing threshold, and e-mail is answered", () => {
    const text = 'name: high_error_rate\ncondition: "error_rate > 0.05"\naction: send_email\nrecipients: ["admin@example.com"]\n';
    assert.deepEqual(lines(text), [
      'rule.yaml:1:1 kind: kind must be one of failure_rate, dead_letters, oldest_due, breaker_open, worker_lost, no_live_worker, schedule_missed (a runbook condition "error_rate > 0.05" is kind: failure_rate with threshold: 0.05)',
      "rule.yaml:1:1 threshold: 'threshold' is required",
      'rule.yaml:2:1 condition: unknown key \'condition\': "error_rate > 0.05" is kind: failure_rate with threshold: 0.05',
      "rule.yaml:3:1 action: unknown key 'action': there is no e-mail channel: point a webhook at your mail relay (channels: [{ type: webhook, url_env_var: ALERT_URL }], ALERT_URL holding its URL)",
      "rule.yaml:4:1 recipients: unknown key 'recipients': there is no e-mail channel: point a webhook at your mail relay (channels: [{ type: webhook, url_env_var: ALERT_URL }], ALERT_URL holding its URL)",
    ]);
    assert.deepEqual(lines('name: x\nkind: worker_lost\naction: email\nchannels:\n  - { type: email }\n'), [
      "rule.yaml:3:1 action: unknown key 'action': there is no e-mail channel: point a webhook at your mail relay (channels: [{ type: webhook, url_env_var: ALERT_URL }], ALERT_URL holding its URL)",
      'rule.yaml:5:13 channels[0].type: type must be one of desktop, webhook, slack: there is no e-mail channel: point a webhook at your mail relay',
    ]);
  });

  it('says opsdeck has no disk-space kind, and lists the kinds, for a disk condition; the rest of the rule is checked all the same', () => {
    const text = 'name: low_disk_space\ncondition: "disk_free < 1GB"\naction: send_slack\nchannel: "#ops"\nseverty: info\n';
    assert.deepEqual(lines(text), [
      "rule.yaml:1:1 kind: opsdeck has no disk-space kind: it watches jobs, queues and workers, not the hosts' disks; kind must be one of failure_rate, dead_letters, oldest_due, breaker_open, worker_lost, no_live_worker, schedule_missed",
      "rule.yaml:2:1 condition: unknown key 'condition': opsdeck has no disk-space kind: it watches jobs, queues and workers, not the hosts' disks",
      "rule.yaml:3:1 action: unknown key 'action': a rule notifies its channels: for Slack, channels: [{ type: slack, url_env_var: SLACK_URL }], SLACK_URL holding the incoming webhook's URL",
      "rule.yaml:4:1 channel: unknown key 'channel': did you mean 'channels'? (a Slack incoming webhook posts to the channel it was made for)",
      "rule.yaml:5:1 severty: unknown key 'severty': did you mean 'severity'?",
    ]);
  });

  it('a kind misspelt gets its hint, and the rest of the rule is checked as that kind', () => {
    assert.deepEqual(lines('name: x\nkind: failure-rate\nthreshold: 5\n'), [
      'rule.yaml:2:7 kind: unknown kind "failure-rate": did you mean "failure_rate"? (the rest of this rule is checked as failure_rate)',
      'rule.yaml:3:12 threshold: the threshold is a fraction of attempts (0.05 = 5%), at most 1: for 5% write 0.05',
    ]);
  });

  it('warns, and still gives the rule, of a channel variable not set here and of a service the registry lacks', () => {
    const text = 'name: x\nkind: failure_rate\nthreshold: 0.5\nservice: nope\nchannels:\n  - { type: webhook, url_env_var: HOOK_URL }\n';
    const parsed = parseAlertRule(text, {}, new Set(['api']));
    assert.equal(parsed.rule?.name, 'x');
    assert.deepEqual(lines(text, {}, new Set(['api'])), [
      'rule.yaml:4:10 service: warning: service nope is not in this registry: the rule will never fire',
      'rule.yaml:6:35 channels[0].url_env_var: warning: environment variable HOOK_URL is not set where this check ran: whichever process evaluates the alerts (a worker, opsdeck serve or the desktop) needs it in its own to send this channel; a shell that only checks or edits rules does not',
    ]);
    assert.deepEqual(lines(text, { HOOK_URL: 'https://example.test' }, null), [], 'no registry: the service is not judged');
  });

  it('refuses what is no rule: broken YAML, a list, an empty file', () => {
    assert.match(lines('name: [x\n')[0] ?? '', /^rule\.yaml:2:1 \(syntax\): YAML: /);
    assert.deepEqual(lines('- a\n'), ['rule.yaml:1:1 (document): expected one rule (name: and kind: at the top level), found a list']);
    assert.deepEqual(lines(''), ['rule.yaml:1:1 (document): expected one rule (name: and kind: at the top level), found nothing']);
    assert.equal(parseAlertRule('', {}, null).rule, null);
  });

  it('says of text nested past reading that it is, not that the reader ran out of stack; a long list is cut at fifty', () => {
    const deep = lines(`name: x\nkind: ${'['.repeat(8000)}${']'.repeat(8000)}\n`);
    assert.equal(deep.length, 1, 'said once, not at every level');
    assert.match(deep[0] ?? '', /^rule\.yaml:2:\d+ \(syntax\): YAML: nested too deep to read \(collections inside collections, hundreds deep\)$/);
    const many = lines(Array.from({ length: 200 }, (_, i) => `k${i}: 1`).join('\n'));
    assert.equal(many.length, 51);
    assert.match(many[50] ?? '', /\(document\): and \d+ more problem\(s\) not listed: fix these first$/);
  });
});
