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
    problems.filter((p) => p.path.endsWith('memory_mb')).map((p) => formatProblem('r.yaml', p)),
    [
      `r.yaml:9:20 services[0].security_policy.resource_limits.memory_mb: warning: memory_mb caps the address space, not resident memory: node reserves about ${RUNTIME_STARTUP_MB} MB of it to start, so under 256 MB every job fails at once; give it ${RUNTIME_STARTUP_MB} or more, or cap its heap with the runtime's own option`,
    ],
  );
});

test('every runtime known to reserve address space is named, by its program; others and generous limits are not', () => {
  // Most of these programs are not on this machine: that warning (command not found) is another check's.
  const memoryProblems = (program: string, memoryMb: number) => parseRegistry(registry(program, memoryMb), 'r.yaml', {}).problems.filter((p) => p.path.endsWith('memory_mb'));
  for (const program of ['/usr/local/bin/deno', '/opt/bun/bin/bun', '/usr/bin/java', '/usr/bin/dotnet']) {
    assert.match(memoryProblems(program, 512)[0]?.message ?? '', new RegExp(`: ${program.split('/').pop() ?? ''} reserves about`), program);
  }
  assert.deepEqual(memoryProblems('/usr/bin/python3', 256), [], 'python reserves nothing ahead');
  assert.deepEqual(memoryProblems('/usr/bin/node', RUNTIME_STARTUP_MB), []);
});
