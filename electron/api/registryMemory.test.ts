import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../log/logger.ts';
import { DEMO_REGISTRY_PATH } from './handlers/demo.ts';
import { RegistryMemory, recalledText, rememberLoads } from './registryMemory.ts';
import { createRuntime } from './runtime.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-registry-memory-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the registry a console host remembers', () => {
  it('is kept per store, a SQLite file by its absolute path and PostgreSQL without its password, and a damaged memory is none', async () => {
    const memory = new RegistryMemory(join(dir, 'kept'));
    assert.equal(await memory.recall(join(dir, 'a.db')), null);
    await Promise.all([memory.remember(join(dir, 'a.db'), '/etc/a.yaml'), memory.remember('postgres://ops:hunter2@db:5432/jobs', '/etc/pg.yaml')]);
    assert.equal(await memory.recall(`sqlite://${join(dir, 'a.db')}`), '/etc/a.yaml', 'the same file, however it is written');
    assert.equal(await memory.recall(join(dir, 'b.db')), null, 'another store remembers nothing');
    assert.equal(await memory.recall('postgres://ops@db:5432/jobs'), '/etc/pg.yaml');
    const text = await readFile(memory.file, 'utf8');
    assert.doesNotMatch(text, /hunter2/);
    if (process.platform !== 'win32') assert.equal((await stat(memory.file)).mode & 0o777, 0o600);
    await writeFile(memory.file, '{ not json');
    assert.equal(await memory.recall(join(dir, 'a.db')), null);
  });

  it('follows the loads of a runtime (what it started with, then each good load), never a refused one', async () => {
    const memory = new RegistryMemory(join(dir, 'followed'));
    const db = join(dir, 'followed.db');
    const rt = await createRuntime({ words: CONSOLE_WORDS, db, registryPath: null, execute: false, log: silentLogger });
    try {
      const stop = rememberLoads(rt, memory, silentLogger);
      assert.ok((await rt.ctx.registry.loadFile(DEMO_REGISTRY_PATH)).ok);
      assert.equal(await memory.recall(db), DEMO_REGISTRY_PATH);
      const broken = join(dir, 'broken.yaml');
      await writeFile(broken, 'services:\n  - name: x\n    execution_type: [\n');
      assert.equal((await rt.ctx.registry.loadFile(broken)).ok, false);
      assert.equal(await memory.recall(db), DEMO_REGISTRY_PATH, 'the last good one stays');
      stop();
    } finally {
      await rt.close();
    }
  });

  it('says what became of the remembered one at start: loaded, or no longer loading and why', () => {
    assert.equal(recalledText({ path: '/etc/a.yaml', ok: true, problems: [], errors: 0 }), '/etc/a.yaml (the one last loaded on this store)');
    assert.equal(
      recalledText({ path: '/etc/a.yaml', ok: false, problems: [{ line: null, col: null, path: '(file)', message: 'file not found: /etc/a.yaml', severity: 'error' }], errors: 1 }),
      'none: the one last loaded on this store, /etc/a.yaml, no longer loads (file not found: /etc/a.yaml)',
    );
  });
});
