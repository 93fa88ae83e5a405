import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { RegistryHolder } from '../config/holder.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import type { TestDatabase } from '../store/testing/pgTestDb.ts';
import { Engine } from './engine.ts';

/** How long the two workers race for an every-second schedule: the minute. */
const RACE_MS = 60_000;

describe('schedules on PostgreSQL with two workers', () => {
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

  test('a minute of every-second fires: each fire is one job, none lost, both workers firing', { timeout: RACE_MS + 60_000 }, async () => {
    const registryText = JSON.stringify({
      services: [{ name: 'tick', execution_type: 'noop', runner_config: { sleep_ms: 1 } }],
      schedules: [{ name: 'every_second', service: 'tick', cron: '* * * * * *', timezone: 'UTC' }],
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
      const jobs = await client.query<{ identifier: string }>(
        `SELECT identifier FROM jobs.tb_job_run WHERE identifier LIKE 'schedule:every_second:%' ORDER BY identifier`,
      );
      const fires = await client.query<{ fire_key: string; status: string; job_id: string | null; recorded_by: string }>(
        `SELECT fire_key, status, job_id, recorded_by FROM jobs.tb_schedule_fire WHERE schedule_name = 'every_second' ORDER BY fire_at`,
      );
      const times = jobs.rows.map((r) => Date.parse(r.identifier.slice('schedule:every_second:'.length)));
      assert.ok(times.length >= (RACE_MS / 1000) * 0.9, `about a minute of fires, got ${times.length}`);
      assert.equal(new Set(times).size, times.length, 'no fire time twice');
      for (let i = 1; i < times.length; i++) {
        assert.equal((times[i] ?? 0) - (times[i - 1] ?? 0), 1000, `consecutive seconds, none lost (at ${new Date(times[i] ?? 0).toISOString()})`);
      }
      assert.ok(times.every((t) => t % 1000 === 0), 'fires at whole seconds');
      assert.equal(fires.rows.length, jobs.rows.length, 'one fire record per job');
      assert.ok(fires.rows.every((f) => f.status === 'fired' && f.job_id !== null));
      assert.deepEqual(fires.rows.map((f) => f.fire_key), jobs.rows.map((j) => j.identifier), 'each record keyed by its job');
      const byWorker = new Set(fires.rows.map((f) => f.recorded_by));
      assert.deepEqual([...byWorker].sort(), ['worker-a', 'worker-b'], 'both workers fired: they raced, and the key kept it to one job a fire');
    } finally {
      await client.end();
    }
  });
});
