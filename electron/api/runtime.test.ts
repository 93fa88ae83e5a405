import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LogSecrets } from '../log/secrets.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { dispatch } from './dispatch.ts';
import { createRuntime, runsJobsByDefault } from './runtime.ts';
import { CONSOLE_WORDS } from './interfaceWords.ts';

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('createRuntime', () => {
  it('runs jobs when local execution is on, switches stores, and closes cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rt-'));
    const registry = join(dir, 'registry.yaml');
    await writeFile(registry, 'services:\n  - name: quick\n    execution_type: noop\n');
    const rt = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'a.db'), registryPath: registry, execute: false, env: {}, pollMs: 20 });
    try {
      assert.deepEqual(rt.registryLoad?.ok, true);
      assert.equal(rt.ctx.engine, null);
      assert.equal((await dispatch('jobs.enqueue', { service: 'quick', identifier: 'one' }, rt.ctx)).ok, true);

      const seen = new Set<number>();
      const off = rt.events.on((event, payload) => {
        if (event !== 'jobs.changed') return;
        const ids: unknown = Reflect.get(Object(payload), 'ids');
        if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'number') seen.add(id);
      });
      const on = await dispatch('settings.setLocalExecution', { enabled: true }, rt.ctx);
      assert.equal(on.ok, true);
      assert.ok(rt.ctx.engine);
      await waitFor(async () => (await rt.ctx.store.getJob('one'))?.status === 'completed');
      const one = await rt.ctx.store.getJob('one');
      await waitFor(async () => one !== null && seen.has(one.id));
      off();

      const switched = await dispatch('settings.setConnection', { url: join(dir, 'b.db') }, rt.ctx);
      assert.equal(switched.ok, true, JSON.stringify(switched));
      assert.equal(rt.ctx.store.location, join(dir, 'b.db'));
      assert.equal(await rt.ctx.store.getJob('one'), null);
      assert.ok(rt.ctx.engine, 'local execution stays on after a switch');
      assert.equal((await dispatch('jobs.enqueue', { service: 'quick', identifier: 'two' }, rt.ctx)).ok, true);
      await waitFor(async () => (await rt.ctx.store.getJob('two'))?.status === 'completed');

      const bad = await dispatch('settings.setConnection', { url: 'ftp://nowhere' }, rt.ctx);
      assert.equal(!bad.ok && bad.error.code, 'unavailable');
      assert.equal(rt.ctx.store.location, join(dir, 'b.db'), 'a bad URL leaves the store as it was');
      const audit = await rt.ctx.store.listAudit({ action: 'settings.connection' }, { limit: 5 });
      assert.equal(audit.items.length, 1);
    } finally {
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops running jobs here when it switches to a shared PostgreSQL store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rt-'));
    const pg = await createTestDatabase();
    const rt = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'a.db'), registryPath: null, execute: true, env: {} });
    try {
      assert.equal(rt.ctx.settings.localExecution, true);
      const res = await dispatch('settings.setConnection', { url: pg.url }, rt.ctx);
      assert.equal(res.ok, true, JSON.stringify(res));
      assert.equal(rt.ctx.store.dialect, 'postgres');
      assert.equal(rt.ctx.engine, null);
      assert.equal(rt.ctx.settings.localExecution, false);
    } finally {
      await rt.close();
      await pg.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a store switched to in Settings has its URL's password cut from the host's log lines too", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rt-'));
    const pg = await createTestDatabase();
    const secrets = new LogSecrets({});
    const rt = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'a.db'), registryPath: null, execute: false, env: {}, logSecrets: secrets });
    try {
      const password = 'Switched-Pw-71b3';
      // Trust authentication here: the server ignores the password, the URL still carries it.
      const res = await dispatch('settings.setConnection', { url: pg.url.replace('://postgres@', `://postgres:${password}@`) }, rt.ctx);
      assert.equal(res.ok, true, JSON.stringify(res));
      assert.ok(secrets.values.includes(password), `the log cuts ${secrets.values.join(', ')}`);
    } finally {
      await rt.close();
      await pg.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the store it was opened with has its URL's password cut from the host's log lines, however the host got it", async () => {
    const pg = await createTestDatabase();
    const secrets = new LogSecrets({});
    const password = 'Given-Pw-5d21';
    const rt = await createRuntime({ words: CONSOLE_WORDS, db: pg.url.replace('://postgres@', `://postgres:${password}@`), registryPath: null, execute: false, env: {}, logSecrets: secrets });
    try {
      assert.ok(secrets.values.includes(password), `the log cuts ${secrets.values.join(', ')}`);
    } finally {
      await rt.close();
      await pg.drop();
    }
  });

  it("runs jobs 'by-store' on a SQLite file, and on PostgreSQL only once asked", async () => {
    assert.equal(runsJobsByDefault('sqlite'), true);
    assert.equal(runsJobsByDefault('postgres'), false);
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rt-'));
    const pg = await createTestDatabase();
    const onFile = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'a.db'), registryPath: null, execute: 'by-store', env: {} });
    const onPg = await createRuntime({ words: CONSOLE_WORDS, db: pg.url, registryPath: null, execute: 'by-store', env: {} });
    try {
      assert.ok(onFile.ctx.engine);
      assert.equal(onFile.ctx.settings.localExecution, true);
      assert.equal(onPg.ctx.engine, null);
      assert.equal(onPg.ctx.settings.localExecution, false);
    } finally {
      await onFile.close();
      await onPg.close();
      await pg.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not throw for a registry that does not validate; it says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rt-'));
    const registry = join(dir, 'bad.yaml');
    await writeFile(registry, 'services:\n  - name: x\n    execution_type: HTTP\n');
    const rt = await createRuntime({ words: CONSOLE_WORDS, db: join(dir, 'a.db'), registryPath: registry, execute: false, env: {} });
    try {
      assert.equal(rt.registryLoad?.ok, false);
      assert.ok((rt.registryLoad?.problems.length ?? 0) > 0);
      assert.equal(rt.ctx.registry.registry.services.length, 0);
    } finally {
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
