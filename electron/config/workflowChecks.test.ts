import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatProblem, loadRegistryFile, parseRegistry } from './load.ts';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

test('validate-config names a dependency cycle by its path, at the line of the task that closes it', async () => {
  const file = path.join(fixtures, 'workflow_cycle.yaml');
  const { registry, problems } = await loadRegistryFile(file, {});
  assert.equal(registry, null);
  const lines = problems.map((p) => formatProblem('workflow_cycle.yaml', p));
  assert.ok(
    lines.some((l) => l.startsWith('workflow_cycle.yaml:9:') && l.includes('dependency cycle: extract -> transform -> load -> extract')),
    lines.join('\n'),
  );
  assert.ok(lines.some((l) => l.startsWith('workflow_cycle.yaml:20:') && l.includes("duplicate task name 'a'")), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('workflow_cycle.yaml:22:') && l.includes("unknown dependency 'ghost'")), lines.join('\n'));
});

test('a clean workflow loads; an unknown service and a duplicate workflow name are refused', () => {
  const good = parseRegistry(
    'services:\n  - name: s\n    execution_type: noop\nworkflows:\n  - name: w\n    tasks:\n      - { name: a, service: s, pass_output: json }\n      - { name: b, service: s, depends_on: [a] }\n',
    'r.yaml',
    {},
  );
  assert.deepEqual(good.problems, []);
  assert.equal(good.registry?.workflows?.[0]?.tasks[1]?.depends_on[0], 'a');
  const bad = parseRegistry(
    'services:\n  - name: s\n    execution_type: noop\nworkflows:\n  - name: w\n    tasks: [{ name: a, service: nope }]\n  - name: w\n    tasks: [{ name: a, service: s }]\n',
    'r.yaml',
    {},
  );
  assert.equal(bad.registry, null);
  assert.deepEqual(
    bad.problems.map((p) => [p.line, p.message]),
    [
      [6, "unknown service 'nope': not in services"],
      [7, "duplicate workflow name 'w' (first defined at workflows[0])"],
    ],
  );
});
