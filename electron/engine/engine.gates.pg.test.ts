import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunners } from '../runners/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase, withClient } from '../store/testing/pgTestDb.ts';
import type { TestDatabase } from '../store/testing/pgTestDb.ts';
import { Engine } from './engine.ts';
import { loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/**
 * Rate limits and max_concurrent across two workers, each with its own connection pool, on one
 * PostgreSQL database: what the issue asks to hold. A rate limit holds the claims, by the store's clock
 * (its ledger of the starts it granted, as the gate reads it); max_concurrent is measured where each run
 * began and ended in its runner. The store records a run's length exactly but dates it from its settle,
 * which may come later (docs/ARCHITECTURE.md, a run's start), so its times say little of either.
 */
describe('service gates across two workers on PostgreSQL', () => {
  let db: TestDatabase;
  let dir: string;
  let cleanupDir: () => Promise<void>;
  const engines: Engine[] = [];
  /** Every run of every worker, as its runner saw it: service, when it began and when it returned. */
  const runs: Array<{ service: string; start: number; end: number }> = [];
  const stores: Store[] = [];

  before(async () => {
    db = await createTestDatabase({ migrated: true });
    const tmp = await tempDir();
    dir = tmp.dir;
    cleanupDir = tmp.cleanup;
  });

  after(async () => {
    await Promise.all(engines.map((e) => e.stop({ graceMs: 0 })));
    for (const s of stores) await s.close();
    await db.drop();
    await cleanupDir();
  });

  async function worker(services: unknown[], pollMs = 20): Promise<Engine> {
    const { holder } = await loadRegistry(dir, services);
    const store = await openStore(db.url);
    stores.push(store);
    const runners = createRunners({ killGraceMs: 300 });
    const noop = runners.get('noop');
    assert.ok(noop);
    runners.set('noop', {
      kind: noop.kind,
      probe: (list, env, checkedIn) => noop.probe(list, env, checkedIn),
      run: async (request) => {
        const start = Date.now();
        const result = await noop.run(request);
        runs.push({ service: request.service.name, start, end: Date.now() });
        return result;
      },
    });
    const engine = new Engine({ store, registry: holder, runners, concurrency: 8, leaseMs: 5000, pollMs, maintenance: false });
    engines.push(engine);
    await engine.start();
    return engine;
  }

  function runsOf(service: string): Array<{ start: number; end: number }> {
    return runs.filter((r) => r.service === service);
  }

  test('a limit of 10 per second holds between two workers over 100 jobs', async () => {
    const services = [{ name: 'limited', execution_type: 'noop', runner_config: { sleep_ms: 2 }, rate_limit: { limit: 10, per: '1s' } }];
    const store = stores[0] ?? (await openStore(db.url));
    if (!stores.includes(store)) stores.push(store);
    await store.enqueue(Array.from({ length: 100 }, () => ({ queue: 'default', service_name: 'limited', execution_type: 'noop' as const, max_attempts: 1 })));
    const began = Date.now();
    await Promise.all([worker(services), worker(services)]);
    await waitFor('every job to complete', async () => ((await store.countJobs({ service: 'limited', status: ['completed'] })) === 100 ? true : null), 30_000);
    assert.equal(runsOf('limited').length, 100, 'one run per job');
    // Each grant of the gate, as many starts as it granted, at the store's time: what a second's budget counts.
    const granted = await withClient(db.url, (c) => c.query<{ at: Date; n: number }>(`SELECT at, n FROM jobs.tb_rate_start WHERE service_name = 'limited' ORDER BY at`));
    const starts = granted.rows.flatMap((r) => Array.from({ length: r.n }, () => r.at.getTime()));
    assert.equal(starts.length, 100, 'every start granted by the gate');
    let busiest = 0;
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i] ?? 0;
      const inWindow = starts.filter((s) => s >= from && s < from + 1000).length;
      busiest = Math.max(busiest, inWindow);
    }
    assert.ok(busiest <= 10, `at most 10 starts in any second (the busiest second had ${busiest})`);
    assert.equal(busiest, 10, 'and the budget is used: some second has all ten');
    const seconds = (Date.now() - began) / 1000;
    assert.ok(seconds >= 9, `100 jobs at 10 a second take at least 9 s (took ${seconds.toFixed(1)} s)`);
    const workers = new Set((await Promise.all((await store.listJobs({ service: 'limited' }, { limit: 100 })).items.map((j) => store.listAttempts(j.id)))).flat().map((a) => a.worker_id));
    assert.equal(workers.size, 2, 'both workers took a share');
    assert.equal((await store.rateUse([{ service: 'limited', limit: 10, perMs: 1000, maxConcurrent: null }]))[0]?.limit, 10);
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceMs: 0 })));
  });

  test('max_concurrent: 2 is never exceeded across two workers', async () => {
    const services = [{ name: 'capped', execution_type: 'noop', runner_config: { sleep_ms: 150 }, max_concurrent: 2 }];
    const store = stores[0];
    assert.ok(store);
    await store.enqueue(Array.from({ length: 16 }, () => ({ queue: 'default', service_name: 'capped', execution_type: 'noop' as const, max_attempts: 1 })));
    await Promise.all([worker(services), worker(services)]);
    await waitFor('every job to complete', async () => ((await store.countJobs({ service: 'capped', status: ['completed'] })) === 16 ? true : null), 30_000);
    const attempts = runsOf('capped');
    // The most attempts open at once: at each start, those begun and not yet finished.
    let most = 0;
    for (const a of attempts) most = Math.max(most, attempts.filter((b) => b.start <= a.start && b.end > a.start).length);
    assert.ok(most <= 2, `at most 2 running at once (saw ${most})`);
    assert.equal(most, 2, 'and both places are used');
  });

  test('a job held back by its service\'s concurrency starts when one finishes on either worker, not at the next poll', async () => {
    // Longer than the wait below: each job can start only because a worker was woken by the one before.
    const neverPolls = 600_000;
    const services = [{ name: 'single', execution_type: 'noop', runner_config: { sleep_ms: 30 }, concurrency: 1 }];
    const store = stores[0] ?? (await openStore(db.url));
    if (!stores.includes(store)) stores.push(store);
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceMs: 0 })));
    await Promise.all([worker(services, neverPolls), worker(services, neverPolls)]);
    await store.enqueue(Array.from({ length: 4 }, () => ({ queue: 'default', service_name: 'single', execution_type: 'noop' as const, max_attempts: 1 })));
    await waitFor('every job to complete', async () => ((await store.countJobs({ service: 'single', status: ['completed'] })) === 4 ? true : null));
  });
});
