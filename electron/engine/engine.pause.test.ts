import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunners } from '../runners/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Engine } from './engine.ts';
import { httpServer, loadRegistry, tempDir, waitFor } from './testing/harness.ts';

/** An upstream's 429 + Retry-After pauses the service's calls for every worker sharing the store. */
describe("an upstream's 429 with Retry-After", () => {
  let dir: string;
  let cleanupDir: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup: cleanupDir } = await tempDir());
  });
  after(async () => cleanupDir());

  test('pauses the service fleet-wide for that long; its jobs wait, then run', async () => {
    const seen: number[] = [];
    const upstream = await httpServer((n, _req, res) => {
      seen.push(Date.now());
      if (n === 1) res.writeHead(429, { 'retry-after': '2' }).end('slow down');
      else res.writeHead(200).end('{}');
    });
    const sqlite = await createSqliteTestStore();
    // A second process's view of the same file: a worker elsewhere that never saw the 429 itself.
    const other: Store = await openStore(sqlite.path);
    const services = [{ name: 'upstream', execution_type: 'http', runner_config: { base_url: upstream.url, path: '/', timeout: 5, retry_config: { max_retries: 3 } } }];
    const engines: Engine[] = [];
    try {
      for (const store of [sqlite.store, other]) {
        const { holder } = await loadRegistry(dir, services);
        const engine = new Engine({ store, registry: holder, runners: createRunners({ killGraceMs: 300 }), concurrency: 1, leaseMs: 5000, pollMs: 20, maintenance: false });
        engines.push(engine);
        await engine.start();
      }
      await sqlite.store.enqueue([{ queue: 'default', service_name: 'upstream', execution_type: 'http', max_attempts: 4, identifier: 'first' }]);
      await waitFor('the 429', () => seen.length >= 1);
      const pauses = await waitFor('the pause in the store', async () => {
        const listed = await other.listServicePauses();
        return listed.length > 0 ? listed : null;
      });
      assert.equal(pauses[0]?.service_name, 'upstream');
      assert.match(pauses[0]?.reason ?? '', /429 with Retry-After 2s/);
      // Other processes hear of it by the control signal (SQLite: the 250 ms poll of the file; PostgreSQL:
      // NOTIFY). Jobs of the service enqueued from then on wait out the pause on both workers.
      await new Promise((r) => setTimeout(r, 400));
      await sqlite.store.enqueue([1, 2, 3].map((n) => ({ queue: 'default', service_name: 'upstream', execution_type: 'http' as const, max_attempts: 1, identifier: `later-${n}` })));
      await waitFor('every job to complete', async () => ((await sqlite.store.countJobs({ service: 'upstream', status: ['completed'] })) === 4 ? true : null), 15_000);
      const first = seen[0] ?? 0;
      const next = seen.slice(1);
      assert.equal(next.length, 4, 'the retry and the three new jobs');
      assert.ok(next.every((t) => t - first >= 1900), `no call within the 2 s asked for (calls at +${next.map((t) => t - first).join(', +')} ms)`);
      const rate = (await sqlite.store.rateUse([{ service: 'upstream', limit: null, perMs: 1000, maxConcurrent: null }]))[0];
      assert.equal(rate?.paused_until, null, 'the pause is over');
    } finally {
      await Promise.all(engines.map((e) => e.stop({ graceMs: 0 })));
      await other.close();
      await sqlite.cleanup();
      await upstream.close();
    }
  });
});
