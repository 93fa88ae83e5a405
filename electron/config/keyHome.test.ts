import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RegistryProblem } from '../../shared/registry.ts';
import { parseRegistry } from './load.ts';

function messages(text: string): string[] {
  return parseRegistry(text, 'r.yaml', {}).problems.map((p: RegistryProblem) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
}

test("the runbook's dependsOn is guessed as depends_on on every task, and the cycle it writes is still found", () => {
  const text = [
    'services:',
    '  - { name: etl, execution_type: noop }',
    'workflows:',
    '  - name: nightly',
    '    tasks:',
    '      - { name: A, service: etl, dependsOn: [B] }',
    '      - { name: B, service: etl, dependsOn: [A] }',
    '',
  ].join('\n');
  assert.deepEqual(messages(text), [
    "6:34 workflows[0].tasks[0].dependsOn: unknown key 'dependsOn': did you mean 'depends_on'? (the workflow is checked as if it said depends_on)",
    '6:46 workflows[0].tasks[0].dependsOn[0]: dependency cycle: A -> B -> A',
    "7:34 workflows[0].tasks[1].dependsOn: unknown key 'dependsOn': did you mean 'depends_on'? (the workflow is checked as if it said depends_on)",
  ]);
});

test("a pipeline runbook's task words (id, action, dependencies) are named with opsdeck's, and its missing dependency is still found", () => {
  const text = [
    'services:',
    '  - { name: etl, execution_type: noop }',
    'workflows:',
    '  - name: research_pipeline',
    '    version: "1.0"',
    '    tasks:',
    '      - id: search',
    '        action: web_search',
    '      - name: summarise',
    '        service: etl',
    '        dependencies: [search, missing_one]',
    '',
  ].join('\n');
  assert.deepEqual(messages(text), [
    "5:5 workflows[0].version: unknown key 'version'",
    "7:9 workflows[0].tasks[0].id: unknown key 'id': opsdeck calls a task's id its name: write name: search (the workflow is checked as if it said name)",
    "8:9 workflows[0].tasks[0].action: unknown key 'action': a task runs one of the registry's services: write service: and its name (the workflow is checked as if it said service)",
    "8:17 workflows[0].tasks[0].action: unknown service 'web_search': not in services",
    "11:9 workflows[0].tasks[1].dependencies: unknown key 'dependencies': opsdeck calls them depends_on: the names of the tasks it waits for (the workflow is checked as if it said depends_on)",
    "11:32 workflows[0].tasks[1].dependencies[1]: unknown dependency 'missing_one' of task 'summarise': no task of that name in workflow 'research_pipeline'",
  ]);
});

test('a misspelt key is guessed at every level: workflows, schedules, retention, rate_limit, alert channels, a docker volume', () => {
  const text = [
    'services:',
    '  - name: etl',
    '    execution_type: docker',
    '    rate_limit: { limit: 5, pr: 1s }',
    '    runner_config:',
    '      image: alpine',
    '      volumes: [{ host_path: /a, container_pth: /b }]',
    'workflows:',
    '  - { name: w, stuck_afer: 1h, tasks: [{ name: A, service: etl }] }',
    'schedules:',
    '  - { name: s, service: etl, cron: "* * * * *", timezon: UTC }',
    'retention: { complete: 1d }',
    'alerts:',
    '  - { name: r, kind: failure_rate, threshold: 0.5, channels: [{ type: webhook, url_env_vr: X }] }',
    '',
  ].join('\n');
  const all = messages(text).join('\n');
  for (const [key, meant] of [['pr', 'per'], ['container_pth', 'container_path'], ['stuck_afer', 'stuck_after'], ['timezon', 'timezone'], ['complete', 'completed'], ['url_env_vr', 'url_env_var']]) {
    assert.match(all, new RegExp(`unknown key '${key}': did you mean '${meant}'\\?`), all);
  }
});

test('a key written one level off is sent where it belongs: down, beside, or up', () => {
  const text = [
    'services:',
    '  - name: api',
    '    execution_type: http',
    '    auth_type: bearer',
    '    memory_mb: 512',
    '    failure_threshold: 3',
    '    runner_config:',
    '      base_url: https://api.example.com',
    '      max_concurrent: 2',
    '    circuit_breaker: { max_retries: 3 }',
    'workflows:',
    '  - name: w',
    '    service: api',
    '    tasks:',
    '      - { name: A, service: api, stuck_after: 1h }',
    '',
  ].join('\n');
  assert.deepEqual(messages(text), [
    "4:5 services[0].auth_type: unknown key 'auth_type' here: it belongs under runner_config",
    "5:5 services[0].memory_mb: unknown key 'memory_mb' here: it belongs under security_policy.resource_limits",
    "6:5 services[0].failure_threshold: unknown key 'failure_threshold' here: it belongs under circuit_breaker",
    "9:7 services[0].runner_config.max_concurrent: unknown key 'max_concurrent' here: it belongs one level up, beside runner_config",
    "10:24 services[0].circuit_breaker.max_retries: unknown key 'max_retries' here: it belongs under retry_config",
    "13:5 workflows[0].service: unknown key 'service' here: it belongs in each entry of tasks",
    "15:34 workflows[0].tasks[0].stuck_after: unknown key 'stuck_after' here: it belongs one level up, beside tasks",
  ]);
  const camel = messages(['services:', '  - name: api', '    execution_type: http', '    authType: bearer', '    runner_config: { base_url: https://a.example }', ''].join('\n'));
  assert.deepEqual(camel, ["4:5 services[0].authType: unknown key 'authType' here: it belongs under runner_config as auth_type"]);
});

test("the runbook's JavaScript tasks pasted in are one problem at their line, with no mapping spelt as a key; an empty list is said in our words", () => {
  const text = [
    'services:',
    '  - { name: etl, execution_type: noop }',
    'workflows:',
    '  - tasks: [',
    "    { name: 'A', dependsOn: ['B'] },",
    "    { name: 'B', dependsOn: ['A'] }",
    '  ]',
    '',
  ].join('\n');
  const problems = parseRegistry(text, 'r.yaml', {}).problems;
  const found = problems.find((p) => p.message.startsWith('a key here is'));
  assert.ok(found, JSON.stringify(problems));
  assert.equal(found.line, 5);
  assert.equal(found.path, 'workflows[0]');
  assert.equal(found.message, 'a key here is a { … } mapping, and a key must be a plain name: write each entry as "- name: A" with its other keys indented below it (YAML, not the runbook\'s JavaScript)');
  assert.ok(!problems.some((p) => p.path.includes('{') || p.message.includes('Too small')), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.path === 'workflows[0].tasks' && p.message === 'needs at least one task'), JSON.stringify(problems));
});
