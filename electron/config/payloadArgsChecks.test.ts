import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegistry } from './load.ts';

const registry = (takesArgs: boolean) => `services:
  - name: lister
    execution_type: shell
    runner_config:
      command: ["/usr/bin/find", "/data"]
${takesArgs ? '      payload_args: true\n' : ''}    security_policy:
      allowed_commands: ["/usr/bin/find"]
  - name: hook
    execution_type: noop
schedules:
  - name: nightly
    service: lister
    cron: "0 2 * * *"
    payload: { args: ["-name", "*.log"] }
  - name: ping
    service: hook
    cron: "0 3 * * *"
    payload: { args: ["not a program's"] }
workflows:
  - name: tidy
    tasks:
      - name: list
        service: lister
        payload:
          args: ["-delete"]
`;

test('schedules and workflow tasks that give args to a service taking none are refused with their lines', () => {
  const { registry: parsed, problems } = parseRegistry(registry(false), 'r.yaml', {});
  assert.equal(parsed, null);
  assert.deepEqual(
    problems.map((p) => [p.line, p.path, p.message]),
    [
      [14, 'schedules[0].payload.args', "service 'lister' takes no payload.args: set payload_args: true in its runner_config, or leave args out"],
      [25, 'workflows[0].tasks[0].payload.args', "service 'lister' takes no payload.args: set payload_args: true in its runner_config, or leave args out"],
    ],
  );
});

test('a service with payload_args: true takes them, and the registry loads', () => {
  const { registry: parsed, problems } = parseRegistry(registry(true), 'r.yaml', {});
  assert.deepEqual(problems, []);
  const lister = parsed?.services.find((s) => s.name === 'lister');
  assert.equal(lister?.execution_type === 'shell' && lister.runner_config.payload_args, true);
});

test("a workflow schedule's args reach every task: refused when a task's service takes none", () => {
  const text = `services:
  - name: lister
    execution_type: shell
    runner_config:
      command: ["/usr/bin/find", "/data"]
    security_policy:
      allowed_commands: ["/usr/bin/find"]
workflows:
  - name: tidy
    tasks:
      - name: list
        service: lister
schedules:
  - name: nightly_tidy
    workflow: tidy
    cron: "0 2 * * *"
    payload: { args: ["-delete"] }
`;
  const { problems } = parseRegistry(text, 'r.yaml', {});
  assert.deepEqual(problems.map((p) => [p.line, p.path]), [[17, 'schedules[0].payload.args']]);
});
