import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUNTIME_STARTUP_MB } from '../runners/addressSpace.ts';
import { formatProblem, parseRegistry } from './load.ts';

const registry = (program: string, memoryMb: number) => `services:
  - name: greeter
    execution_type: shell
    runner_config:
      command: ["${program}", "-e", "console.log('hi')"]
    security_policy:
      allowed_commands: ["${program}"]
      resource_limits:
        memory_mb: ${memoryMb}
`;

test("a node service's memory_mb below what node reserves to start is a warning at its line, and the registry still loads", () => {
  const { registry: parsed, problems } = parseRegistry(registry('/usr/bin/node', 256), 'r.yaml', {});
  assert.ok(parsed, 'a warning refuses nothing');
  assert.deepEqual(
    problems.map((p) => formatProblem('r.yaml', p)),
    [
      `r.yaml:9:20 services[0].security_policy.resource_limits.memory_mb: warning: memory_mb caps the address space, not resident memory: node reserves about ${RUNTIME_STARTUP_MB} MB of it to start, so under 256 MB every job fails at once; give it ${RUNTIME_STARTUP_MB} or more, or cap its heap with the runtime's own option`,
    ],
  );
});

test('every runtime known to reserve address space is named, by its program; others and generous limits are not', () => {
  for (const program of ['/usr/local/bin/deno', '/opt/bun/bin/bun', '/usr/bin/java', '/usr/bin/dotnet']) {
    const { problems } = parseRegistry(registry(program, 512), 'r.yaml', {});
    assert.match(problems[0]?.message ?? '', new RegExp(`: ${program.split('/').pop() ?? ''} reserves about`), program);
  }
  assert.deepEqual(parseRegistry(registry('/usr/bin/python3', 256), 'r.yaml', {}).problems, [], 'python reserves nothing ahead');
  assert.deepEqual(parseRegistry(registry('/usr/bin/node', RUNTIME_STARTUP_MB), 'r.yaml', {}).problems, []);
});
