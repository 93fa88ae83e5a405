import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RegistryHolder } from './holder.ts';

const GOOD = 'services:\n  - name: a\n    execution_type: noop\n  - name: b\n    execution_type: noop\n';
const BAD = 'services:\n  - name: a\n    execution_type: Noop\n';

test('a bad registry never replaces the last good one', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-holder-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'registry.yaml');
  const holder = new RegistryHolder({});
  // Read through functions: the holder changes under the type checker's narrowing.
  const loadedAt = (): Date | null => holder.loadedAt;
  const names = (): string[] => holder.registry.services.map((s) => s.name);
  assert.deepEqual(names(), []);
  assert.equal(holder.path, null);
  assert.equal(loadedAt(), null);

  const changes: number[] = [];
  const off = holder.onChange((r) => changes.push(r.services.length));

  await writeFile(file, GOOD);
  const first = await holder.loadFile(file);
  assert.equal(first.ok, true);
  assert.equal(holder.path, file);
  assert.ok(loadedAt() instanceof Date);
  assert.equal(holder.service('b')?.execution_type, 'noop');

  await writeFile(file, BAD);
  const second = await holder.loadFile(file);
  assert.equal(second.ok, false);
  assert.equal(second.problems[0]?.line, 3);
  assert.deepEqual(holder.problems, second.problems);
  assert.deepEqual(names(), ['a', 'b']);
  assert.equal(holder.service('a')?.execution_type, 'noop');

  off();
  await writeFile(file, 'services:\n  - name: c\n    execution_type: noop\n');
  assert.equal((await holder.loadFile(file)).ok, true);
  assert.equal(holder.service('a'), undefined);
  assert.deepEqual(holder.problems, []);
  assert.deepEqual(changes, [2]);
});

test('problems name the file they were found in: after a refused load, that file, not the one in use', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-holder-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const good = path.join(dir, 'good.yaml');
  const bad = path.join(dir, 'bad.yaml');
  await writeFile(good, GOOD);
  await writeFile(bad, BAD);
  const holder = new RegistryHolder({});
  assert.equal(holder.problemsFile, null);
  assert.equal((await holder.loadFile(good)).ok, true);
  assert.equal(holder.problemsFile, good);
  const refused = await holder.loadFile(bad);
  assert.equal(refused.ok, false);
  assert.equal(refused.errors, 1);
  assert.equal(holder.path, good);
  assert.equal(holder.problemsFile, bad);
  holder.loadText(GOOD, 'pasted.yaml');
  assert.equal(holder.problemsFile, 'pasted.yaml');
});
