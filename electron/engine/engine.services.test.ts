import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import type { RegistryHolder } from '../config/holder.ts';
import { Engine } from './engine.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/** A worker says which services its registry names, so the fleet can see a job no worker can run. */
describe('engine: the services a worker declares', () => {
  let store: Store;
  let holder: RegistryHolder;
  let file: string;
  let engine: Engine | null = null;
  let cleanup: () => Promise<void>;

  before(async () => {
    const db = await createSqliteTestStore();
    store = db.store;
    const tmp = await tempDir();
    cleanup = async () => {
      await engine?.stop({ graceMs: 0 });
      await db.cleanup();
      await tmp.cleanup();
    };
    ({ holder, file } = await loadRegistry(tmp.dir, [
      { name: 'payments', execution_type: 'noop' },
      { name: 'mailer', execution_type: 'noop' },
    ]));
    engine = new Engine({ store, registry: holder, concurrency: 1, pollMs: 20, env: {} });
    await engine.start();
  });

  after(async () => {
    await cleanup();
  });

  test('at registration, and again at the next heartbeat after its registry is reloaded', async () => {
    const declared = async () => (await store.listWorkers(60_000)).find((w) => w.id === engine?.workerId)?.services;
    assert.deepEqual(await declared(), ['mailer', 'payments']);
    await writeFile(file, JSON.stringify({ services: [{ name: 'payments', execution_type: 'noop' }, { name: 'reports', execution_type: 'noop' }] }));
    const reloaded = await holder.loadFile(file);
    assert.equal(reloaded.ok, true);
    const after = await waitFor('the reloaded services to be declared', async () => {
      const services = await declared();
      return services?.includes('reports') ? services : null;
    });
    assert.deepEqual(after, ['payments', 'reports']);
  });
});
