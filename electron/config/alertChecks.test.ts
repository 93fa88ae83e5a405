import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegistry } from './load.ts';

const text = `services:
  - name: api
    execution_type: noop
alerts:
  - name: spike
    kind: failure_rate
    service: apx
    threshold: 0.5
    channels:
      - type: webhook
        url_env_var: ALERT_URL
  - name: raw
    kind: worker_lost
    channels:
      - type: webhook
        url: https://hooks.example/T0/secret
`;

test('alert rules: a URL written in place is refused, a missing variable and an unknown service are warned about, with their lines', () => {
  const { registry, problems } = parseRegistry(text, 'r.yaml', {});
  assert.equal(registry, null, 'a URL in the registry is refused: it names a variable');
  const at = problems.map((p) => `${p.line}:${p.path}:${p.severity ?? 'error'}`);
  assert.ok(at.includes('7:alerts[0].service:warning'), at.join(' | '));
  assert.ok(at.includes('11:alerts[0].channels[0].url_env_var:warning'), at.join(' | '));
  assert.ok(problems.some((p) => p.path.startsWith('alerts[1].channels[0]') && (p.severity ?? 'error') === 'error'), at.join(' | '));
  const good = parseRegistry(text.replace('apx', 'api').replace(/ {2}- name: raw[\s\S]*$/, ''), 'r.yaml', { ALERT_URL: 'https://hooks.example/x' });
  assert.deepEqual(good.problems, []);
  assert.equal(good.registry?.alerts?.[0]?.name, 'spike');
});

test("a registry's rules written as the runbook writes them: every problem of every rule in one pass", () => {
  const runbook = `services:
  - name: api
    execution_type: noop
alerts:
  - name: high_error_rate
    condition: "error_rate > 0.05"
    action: send_email
    recipients: ["admin@example.com"]
  - name: low_disk_space
    condition: "disk_free < 1GB"
  - name: spike
    kind: failure_rate
    threshold: 5
`;
  const { registry, problems } = parseRegistry(runbook, 'r.yaml', {});
  assert.equal(registry, null);
  assert.deepEqual(problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`), [
    '5:5 alerts[0].kind: kind must be one of failure_rate, dead_letters, oldest_due, breaker_open, worker_lost, no_live_worker, schedule_missed (a runbook condition "error_rate > 0.05" is kind: failure_rate with threshold: 0.05)',
    "5:5 alerts[0].threshold: 'threshold' is required",
    '6:5 alerts[0].condition: unknown key \'condition\': "error_rate > 0.05" is kind: failure_rate with threshold: 0.05',
    "7:5 alerts[0].action: unknown key 'action': there is no e-mail channel: point a webhook at your mail relay (channels: [{ type: webhook, url_env_var: ALERT_URL }], ALERT_URL holding its URL)",
    "8:5 alerts[0].recipients: unknown key 'recipients': there is no e-mail channel: point a webhook at your mail relay (channels: [{ type: webhook, url_env_var: ALERT_URL }], ALERT_URL holding its URL)",
    "9:5 alerts[1].kind: opsdeck has no disk-space kind: it watches jobs, queues and workers, not the hosts' disks; kind must be one of failure_rate, dead_letters, oldest_due, breaker_open, worker_lost, no_live_worker, schedule_missed",
    "10:5 alerts[1].condition: unknown key 'condition': opsdeck has no disk-space kind: it watches jobs, queues and workers, not the hosts' disks",
    '13:16 alerts[2].threshold: the threshold is a fraction of attempts (0.05 = 5%), at most 1: for 5% write 0.05',
  ]);
});
