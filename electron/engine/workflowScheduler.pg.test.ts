import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { RegistryHolder } from '../config/holder.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import type { TestDatabase } from '../store/testing/pgTestDb.ts';
import { Engine } from './engine.ts';

/** How long the two workers race for an every-second workflow schedule. */
const RACE_MS = 15_000;

const PREFIX = 'schedule:every_second_etl:';

describe('workflow schedules on PostgreSQL with two workers', () => {
  let db: TestDatabase;
  const stores: Store[] = [];
  const engines: Engine[] = [];

  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });

  after(async () => {
    await Promise.all(engines.map((e) => e.stop({ graceMs: 0 })));
    for (const s of stores) await s.close();
    await db.drop();
  });

  test('every-second fires of a workflow: each fire key is one run, linked from its fire, none lost, both workers firing', { timeout: RACE_MS + 60_000 }, async () => {
    const registryText = JSON.stringify({
      services: [{ name: 'step', execution_type: 'noop', runner_config: { sleep_ms: 1 } }],
      workflows: [
        {
          name: 'etl',
          tasks: [
            { name: 'extract', service: 'step' },
            { name: 'load', service: 'step', depends_on: ['extract'] },
          ],
        },
      ],
      schedules: [{ name: 'every_second_etl', workflow: 'etl', cron: '* * * * * *', timezone: 'UTC', payload: { region: 'eu' } }],
    });
    // Tick periods that do not divide a second, so neither worker is always first to see a fire due.
    for (const [workerId, tickMs] of [['worker-a', 97], ['worker-b', 89]] as const) {
      const store = await openStore(db.url);
      stores.push(store);
      const registry = new RegistryHolder({});
      assert.ok(registry.loadText(registryText).ok);
      const engine = new Engine({ store, registry, workerId, concurrency: 4, pollMs: 20, scheduleTickMs: tickMs, env: {}, maintenance: false });
      engines.push(engine);
      await engine.start();
    }
    await new Promise((resolve) => setTimeout(resolve, RACE_MS));
    await Promise.all(engines.splice(0).map((e) => e.stop({ graceMs: 0 })));

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const runs = await client.query<{ id: string; identifier: string; payload: unknown; tasks: number }>(
        `SELECT r.id, r.identifier, r.payload, (SELECT count(*)::int FROM jobs.tb_job_run j WHERE j.workflow_run_id = r.id) AS tasks
         FROM jobs.tb_workflow_run r WHERE r.workflow_name = 'etl' ORDER BY r.identifier`,
      );
      const fires = await client.query<{ fire_key: string; status: string; run_id: string | null; job_id: string | null; recorded_by: string }>(
        `SELECT fire_key, status, run_id, job_id, recorded_by FROM jobs.tb_schedule_fire WHERE schedule_name = 'every_second_etl' ORDER BY fire_at`,
      );
      const times = runs.rows.map((r) => Date.parse(r.identifier.slice(PREFIX.length)));
      assert.ok(times.length >= (RACE_MS / 1000) * 0.8, `about ${RACE_MS / 1000} runs, got ${times.length}`);
      assert.equal(new Set(times).size, times.length, 'no fire time twice');
      for (let i = 1; i < times.length; i++) {
        assert.equal((times[i] ?? 0) - (times[i - 1] ?? 0), 1000, `consecutive seconds, none lost (at ${new Date(times[i] ?? 0).toISOString()})`);
      }
      assert.ok(runs.rows.every((r) => r.tasks === 2), 'each run has its two tasks, made once');
      assert.ok(runs.rows.every((r) => JSON.stringify(r.payload) === JSON.stringify({ region: 'eu' })), "each run carries the schedule's payload");
      assert.equal(fires.rows.length, runs.rows.length, 'one fire record per run');
      assert.ok(fires.rows.every((f) => f.status === 'fired' && f.job_id === null));
      assert.deepEqual(
        fires.rows.map((f) => [f.fire_key, f.run_id]),
        runs.rows.map((r) => [r.identifier, r.id]),
        'each fire keyed by its run, and linked to it',
      );
      const byWorker = new Set(fires.rows.map((f) => f.recorded_by));
      assert.deepEqual([...byWorker].sort(), ['worker-a', 'worker-b'], 'both workers fired: they raced, and the key kept it to one run a fire');
      const counts = await stores[0]?.checkCounts(false);
      assert.deepEqual(counts, [], 'the kept counts agree with the jobs');
    } finally {
      await client.end();
    }
  });
});
