import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadRegistryFile, parseRegistry } from './load.ts';
import { MAX_PROBLEMS } from './notRegistry.ts';

async function inTempFile(name: string, content: string | Uint8Array, check: (file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-not-registry-'));
  try {
    const file = path.join(dir, name);
    await writeFile(file, content);
    await check(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a password file is one problem that quotes none of its lines', async () => {
  const shadow = 'root:$y$j9T$secrethash$more:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n';
  await inTempFile('shadow', shadow, async (file) => {
    const { registry, problems, errors } = await loadRegistryFile(file, {});
    assert.equal(registry, null);
    assert.equal(problems.length, 1);
    assert.equal(errors, 1);
    assert.match(problems[0]?.message ?? '', /^the file is not a YAML registry: none of its 3 top-level keys is one a registry has \(services/);
    assert.doesNotMatch(JSON.stringify(problems), /root|daemon|secrethash/);
  });
});

test('an SQLite file is named as one, its bytes never echoed', async () => {
  const bytes = new Uint8Array(4096);
  bytes.set(new TextEncoder().encode('SQLite format 3\0'));
  for (let i = 16; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
  await inTempFile('opsdeck.db', bytes, async (file) => {
    const { registry, problems } = await loadRegistryFile(file, {});
    assert.equal(registry, null);
    assert.deepEqual(problems, [{ line: null, col: null, path: '(document)', message: 'the file is not a YAML registry: it is an SQLite database (an opsdeck store?), not text' }]);
  });
});

test('other binary data, and text that is not UTF-8, are one problem each', async () => {
  await inTempFile('photo.jpg', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]), async (file) => {
    assert.match((await loadRegistryFile(file, {})).problems[0]?.message ?? '', /not a YAML registry: it holds binary data, not text/);
  });
  await inTempFile('latin1.yaml', new Uint8Array([0x73, 0x3a, 0x20, 0xe9, 0x0a]), async (file) => {
    assert.match((await loadRegistryFile(file, {})).problems[0]?.message ?? '', /not a YAML registry: it is not UTF-8 text/);
  });
  // Text sent to validate, not read from a file, is checked the same way.
  assert.match(parseRegistry('services:\0\u0001\u0002', '(text)', {}).problems[0]?.message ?? '', /binary data/);
});

test('a folder is refused before reading', async () => {
  assert.match((await loadRegistryFile(os.tmpdir(), {})).problems[0]?.message ?? '', /not a YAML registry: it is a folder/);
});

test('plain text and a list are not registries; plain keys are named, a typo of services is still a registry with a typo', () => {
  assert.match(parseRegistry('just some words\n', 'r.yaml', {}).problems[0]?.message ?? '', /top level is plain text, not a mapping with a 'services' list/);
  assert.match(parseRegistry('- a\n- b\n', 'r.yaml', {}).problems[0]?.message ?? '', /top level is a list/);
  const manifest = parseRegistry('apiVersion: v1\nkind: Pod\nmetadata: {}\nspec: {}\n', 'r.yaml', {}).problems;
  assert.equal(manifest.length, 1);
  assert.match(manifest[0]?.message ?? '', /none of its 4 top-level keys \('apiVersion', 'kind', 'metadata', …\) is one a registry has/);
  assert.ok(parseRegistry('servces: []\n', 'r.yaml', {}).problems.some((p) => /unknown key 'servces'/.test(p.message)));
});

test('past fifty problems the list is cut, with one last line counting the rest; the error count keeps them all', () => {
  const services = Array.from({ length: 120 }, (_, i) => `  - name: s${i}\n    execution_type: bogus${i}\n`).join('');
  const { registry, problems, errors } = parseRegistry(`services:\n${services}`, 'r.yaml', {});
  assert.equal(registry, null);
  assert.equal(errors, 120);
  assert.equal(problems.length, MAX_PROBLEMS + 1);
  assert.deepEqual(problems.at(-1), { line: null, col: null, path: '(document)', message: 'and 70 more problem(s) not listed: fix these first' });
});

test('a very long message is cut', () => {
  const key = 'k'.repeat(5000);
  const { problems } = parseRegistry(`services: []\n${key}: 1\n`, 'r.yaml', {});
  assert.ok(problems.every((p) => p.message.length <= 301), JSON.stringify(problems.map((p) => p.message.length)));
});
