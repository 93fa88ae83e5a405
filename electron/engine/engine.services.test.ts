import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { startEngine, waitFor, type StartedEngine } from './testing/harness.ts';

/** A worker says which services its registry names, so the fleet can see a job no worker can run. */
describe('engine: the services a worker declares', () => {
  let started: StartedEngine;

  before(async () => {
    started = await startEngine(
      [
        { name: 'payments', execution_type: 'noop' },
        { name: 'mailer', execution_type: 'noop' },
      ],
      { concurrency: 1, pollMs: 20, env: {} },
    );
  });

  after(async () => {
    await started.cleanup();
  });

  test('at registration, and again at the next heartbeat after its registry is reloaded', async () => {
    const { store, holder, file, engine } = started;
    const declared = async () => (await store.listWorkers(60_000)).find((w) => w.id === engine.workerId)?.services;
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
