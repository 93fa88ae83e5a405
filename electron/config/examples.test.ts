import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRegistryFile } from './load.ts';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/registry.yaml');

test('the example registry validates clean with an empty environment', async () => {
  const { registry, problems } = await loadRegistryFile(example, {});
  assert.deepEqual(problems, []);
  assert.ok(registry);
  const kinds = new Set(registry.services.map((s) => s.execution_type));
  for (const kind of ['noop', 'shell', 'http'] as const) assert.ok(kinds.has(kind), kind);
});
