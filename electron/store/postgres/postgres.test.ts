import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { Actor } from '../../../shared/domain.ts';
import { latencyBucket } from '../../../shared/latencyBuckets.ts';
import { runStoreContract } from '../contract/index.ts';
import { waitForSignal } from '../contract/fixtures.ts';
import { StoreError, StoreInputError } from '../errors.ts';
import { generatedIdentifier } from '../newJobs.ts';
import { openPostgresStore } from './open.ts';
import type { ClaimedJob, NewJob, StoreSignal } from '../store.ts';
import { createTestDatabase } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

const alice: Actor = { user: 'alice', host: 'laptop' };

function job(service: string, extra: Partial<NewJob> = {}): NewJob {
  return { queue: 'default', service_name: service, execution_type: 'noop', max_attempts: 3, ...extra };
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Empties every opsdeck table so each contract test starts from a fresh store on one database. */
async function reset(url: string): Promise<void> {
  await admin(url, async (c) => {
    // Every table of ours but the control row and the migration record, whatever later migrations add.
    const { rows } = await c.query<{ tables: string }>(
      `SELECT string_agg(format('jobs.%I', tablename), ', ') AS tables FROM pg_tables
       WHERE schemaname = 'jobs' AND tablename LIKE 'tb\\_%' AND tablename <> 'tb_control'`,
    );
    await c.query(`TRUNCATE ${rows[0]?.tables ?? ''} RESTART IDENTITY CASCADE`);
    await c.query(`UPDATE jobs.tb_control SET emergency_stop = false, emergency_stop_by = NULL, emergency_stop_at = NULL,
      emergency_stop_reason = NULL, safe_mode = false, safe_mode_by = NULL, safe_mode_at = NULL, safe_mode_reason = NULL,
      version = 1`);
  });
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('postgres store', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    await (await openPostgresStore(db.url)).close();
  });
  after(async () => {
    await db.drop();
  });

  runStoreContract('postgres', async () => {
    await reset(db.url);
    const store = await openPostgresStore(db.url, { poolSize: 4 });
    return {
      store,
      cleanup: () => store.close(),
      openSecond: () => openPostgresStore(db.url, { poolSize: 2 }),
    };
  });

  describe('postgres only', () => {
    it('the ready rows hold exactly the pending jobs and lease rows name every running one, whatever moved them', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      const drift = () =>
        admin(db.url, async (c) => {
          const { rows } = await c.query(`
            SELECT 'pending without ready row' AS problem, id FROM jobs.tb_job_run j WHERE status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM jobs.tb_job_ready r WHERE r.job_id = j.id AND r.priority = j.priority AND r.run_at = j.run_at)
            UNION ALL SELECT 'ready row of a job not pending', r.job_id FROM jobs.tb_job_ready r
              WHERE NOT EXISTS (SELECT 1 FROM jobs.tb_job_run j WHERE j.id = r.job_id AND j.status = 'pending')
            UNION ALL SELECT 'running without a lease row of its worker', id FROM jobs.tb_job_run j WHERE status = 'running'
              AND NOT EXISTS (SELECT 1 FROM jobs.tb_job_lease l WHERE j.id = ANY(l.job_ids) AND l.worker_id = j.lease_owner)
            UNION ALL SELECT 'ready row twice', job_id FROM jobs.tb_job_ready GROUP BY job_id HAVING count(*) > 1`);
          return rows.map((r) => `${String(r.problem)} ${String(r.id)}`);
        });
      const error = { message: 'boom', error_class: 'test', fingerprint: 'fp-boom' };
      try {
        const ids = (await store.enqueue(Array.from({ length: 12 }, (_, i) => job('svc', { priority: i % 3, max_attempts: 1 })))).map((r) => r.id);
        assert.deepEqual(await drift(), []);
        const claimed = await store.claim({ workerId: 'w', limit: 9, leaseMs: 60_000 });
        assert.equal(claimed.length, 9);
        assert.deepEqual(await drift(), []);
        const [done, retried, failed, interrupted, cancelled, lost, heldForCancel, ...kept] = claimed;
        assert.ok(done && retried && failed && interrupted && cancelled && lost && heldForCancel && kept.length === 2);
        const base = (j: typeof done) => ({ jobId: j.id, attemptId: j.attempt_id, workerId: 'w' });
        const landed = await store.settle([
          { ...base(done), kind: 'completed' },
          { ...base(retried), kind: 'retry', error, run_at: new Date(Date.now() + 60_000).toISOString(), outcome: 'failed' },
          { ...base(failed), kind: 'failed', error, outcome: 'failed' },
          { ...base(interrupted), kind: 'interrupted', reason: 'emergency stop' },
        ]);
        assert.equal(landed.length, 4);
        assert.deepEqual(await drift(), []);
        await store.cancelJob(cancelled.id, alice, 'not needed');
        await store.settle([{ ...base(cancelled), kind: 'cancelled', reason: 'not needed' }]);
        const pendingId = ids.find((id) => !claimed.some((c) => c.id === id));
        assert.ok(pendingId !== undefined);
        assert.equal((await store.cancelJob(pendingId, alice, null))?.status, 'cancelled');
        assert.equal((await store.cancelJob(heldForCancel.id, alice, null))?.cancel_requested, true);
        assert.deepEqual(await drift(), []);
        await admin(db.url, (c) => c.query(`UPDATE jobs.tb_job_run SET lease_expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [[lost.id, heldForCancel.id]]));
        const reclaimed = await store.reclaimExpired();
        assert.deepEqual(reclaimed, { retried: [], failed: [lost.id], cancelled: [heldForCancel.id] });
        assert.deepEqual(await drift(), []);
        assert.equal((await store.retryJob(pendingId, alice))?.status, 'pending');
        assert.equal(await store.dlqRetry({}, alice), 2, 'the failed job and the lost one');
        assert.deepEqual(await drift(), []);
        const again = await store.claim({ workerId: 'w2', limit: 100, leaseMs: 60_000 });
        assert.deepEqual(
          again.map((j) => j.id).sort((a, b) => a - b),
          [interrupted.id, failed.id, lost.id, pendingId, ...ids.filter((id) => !claimed.some((c) => c.id === id) && id !== pendingId)].sort((a, b) => a - b),
          'every job back in pending is claimable, the one retried later is not yet due',
        );
        assert.deepEqual(await drift(), []);
      } finally {
        await store.close();
      }
    });

    it('a batch of generated identifiers that meets an existing one still lands whole, that job not created twice', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        // The first identifier of the next bulk: the prefix generatedIdentifier hands out next (the counter
        // one on, at any millisecond of the next few seconds) and place 0.
        const sample = /^svc-([0-9a-z]+)([0-9a-z]{4})([0-9a-f]{8})$/.exec(generatedIdentifier('svc'));
        assert.ok(sample?.[1] && sample[2] && sample[3]);
        const counter = (parseInt(sample[2], 36) + 1).toString(36).padStart(4, '0');
        const start = parseInt(sample[1], 36);
        const taken = Array.from({ length: 5000 }, (_, ms) => `svc-${(start + ms).toString(36)}${counter}${sample[3]}-0`);
        await admin(db.url, (c) =>
          c.query(`INSERT INTO jobs.tb_job_run (identifier, service_name, execution_type, status, completed_at)
            SELECT unnest($1::text[]), 'svc', 'noop', 'completed', now()`, [taken]),
        );
        const results = await store.enqueue(Array.from({ length: 3 }, () => job('svc')));
        assert.deepEqual(results.map((r) => r.created), [false, true, true]);
        assert.ok(taken.includes(results[0]?.identifier ?? ''));
        const pending = await admin(db.url, (c) => c.query(`SELECT count(*)::int AS n FROM jobs.tb_job_ready`).then((r) => r.rows[0]?.n));
        assert.equal(pending, 2, 'the two new jobs are queued, the existing one is left as it was');
      } finally {
        await store.close();
      }
    });

    it('four pools claiming and settling for many rounds never hold the same job', async () => {
      await reset(db.url);
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(db.url, { poolSize: 3 })));
      try {
        const total = 2000;
        await stores[0]?.enqueue(Array.from({ length: total }, (_, i) => job(`svc${i % 5}`, { priority: i % 4 })));
        const holder = new Map<number, string>();
        const done = new Set<number>();
        let rounds = 0;
        while (done.size < total && rounds < 500) {
          rounds++;
          const batches = await Promise.all(
            stores.flatMap((s, i) => [0, 1].map((k) => s.claim({ workerId: `w${i}.${k}`, limit: 25, leaseMs: 60_000 }).then((c) => ({ who: `w${i}.${k}`, store: s, c })))),
          );
          const settles: Array<Promise<number[]>> = [];
          for (const { who, store, c } of batches) {
            for (const claimed of c) {
              assert.equal(holder.get(claimed.id), undefined, `job ${claimed.id} held by ${holder.get(claimed.id)} and ${who}`);
              assert.equal(done.has(claimed.id), false, `job ${claimed.id} claimed again after it completed`);
              holder.set(claimed.id, who);
            }
            settles.push(store.settle(c.map((claimed) => ({ jobId: claimed.id, attemptId: claimed.attempt_id, workerId: who, kind: 'completed' as const }))));
          }
          for (const landed of await Promise.all(settles)) {
            for (const id of landed) {
              holder.delete(id);
              done.add(id);
            }
          }
        }
        assert.equal(done.size, total);
        const [counts] = await admin(db.url, (c) =>
          c.query(`SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
                     (SELECT count(*)::int FROM jobs.tb_job_attempt) AS attempts FROM jobs.tb_job_run`).then((r) => r.rows),
        );
        assert.deepEqual(counts, { completed: total, attempts: total });
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('a settlement racing the watchdog over an expired lease lands or is reclaimed, never both', async () => {
      await reset(db.url);
      const worker = await openPostgresStore(db.url, { poolSize: 2 });
      const watchdog = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await worker.enqueue(Array.from({ length: 400 }, () => job('svc', { max_attempts: 2 })));
        const claimed = await worker.claim({ workerId: 'w', limit: 400, leaseMs: 1 });
        assert.equal(claimed.length, 400);
        await sleep(5);
        const halves = [claimed.slice(0, 200), claimed.slice(200)];
        const [landedA, reclaimed, landedB] = await Promise.all([
          worker.settle((halves[0] ?? []).map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'completed' as const }))),
          watchdog.reclaimExpired(),
          worker.settle((halves[1] ?? []).map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'completed' as const }))),
        ]);
        const landed = new Set([...landedA, ...landedB]);
        const taken = new Set([...reclaimed.retried, ...reclaimed.failed]);
        for (const id of landed) assert.equal(taken.has(id), false, `job ${id} both settled and reclaimed`);
        const rest = await watchdog.reclaimExpired();
        for (const id of [...rest.retried, ...rest.failed]) taken.add(id);
        assert.equal(landed.size + taken.size, 400, 'every job settled or reclaimed');
        const rows = await admin(db.url, (c) =>
          c
            .query(`SELECT j.status, a.outcome, count(*)::int AS n FROM jobs.tb_job_run j JOIN jobs.tb_job_attempt a ON a.job_id = j.id
                    GROUP BY 1, 2 ORDER BY 1, 2`)
            .then((r) => r.rows),
        );
        const expected = [
          ...(landed.size > 0 ? [{ status: 'completed', outcome: 'completed', n: landed.size }] : []),
          ...(taken.size > 0 ? [{ status: 'pending', outcome: 'lost', n: taken.size }] : []),
        ];
        assert.deepEqual(rows, expected);
      } finally {
        await worker.close();
        await watchdog.close();
      }
    });

    it('LISTEN/NOTIFY carries control, breaker and worker changes to another instance, once', async () => {
      await reset(db.url);
      const a = await openPostgresStore(db.url, { poolSize: 2 });
      const b = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        const heardByA: StoreSignal[] = [];
        a.subscribe((s) => heardByA.push(s));
        const controlHeard = waitForSignal(b, 'control', 5000);
        await sleep(150);
        await a.setQueuePaused('reports', true, alice, null);
        assert.equal(await controlHeard, true);
        const breakersHeard = waitForSignal(b, 'breakers', 5000);
        const forced = await a.setBreakerMode('payments', 'force_open', alice, 'vendor down');
        assert.equal(await breakersHeard, true);
        const countersHeard = waitForSignal(b, 'breakers', 5000);
        assert.equal(await a.saveBreaker({ ...forced, window_failures: forced.window_failures + 1, version: forced.version + 1 }, null), true);
        assert.equal(await countersHeard, true, 'a counter-only save reaches others too (coalesced)');
        const workersHeard = waitForSignal(b, 'workers', 5000);
        await a.registerWorker({ id: 'w-1', host: 'h', pid: 1, version: 't', concurrency: 1, queues: null });
        assert.equal(await workersHeard, true);
        const jobsHeard = waitForSignal(b, 'jobs', 5000);
        await a.enqueue([job('svc')]);
        assert.equal(await jobsHeard, true);
        await sleep(700);
        // A's own changes reach its listeners once, from the change itself, not again through NOTIFY.
        assert.equal(heardByA.filter((s) => s === 'control').length, 1, heardByA.join(','));
        assert.equal(heardByA.filter((s) => s === 'breakers').length, 2, heardByA.join(','));
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a control change made while the listener is still connecting is not missed', async () => {
      await reset(db.url);
      const a = await openPostgresStore(db.url, { poolSize: 2 });
      const b = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await b.countJobs({});
        const heard = waitForSignal(b, 'control', 5000);
        await sleep(20);
        await a.setEmergencyStop(true, alice, 'right away');
        assert.equal(await heard, true);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('a dropped listener connection reconnects, and control changes still arrive', async () => {
      await reset(db.url);
      const a = await openPostgresStore(db.url, { poolSize: 2 });
      const b = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        b.subscribe(() => undefined);
        await sleep(200);
        const killed = await admin(db.url, (c) =>
          c.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
                   WHERE datname = current_database() AND application_name = 'opsdeck-listen'`).then((r) => r.rowCount),
        );
        assert.ok((killed ?? 0) >= 1, 'the listener connection was found and killed');
        const heard = waitForSignal(b, 'control', 5000);
        await a.setEmergencyStop(true, alice, 'while the listener was down');
        assert.equal(await heard, true);
        await sleep(1500);
        const listening = await admin(db.url, (c) =>
          c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'opsdeck-listen'`).then((r) => r.rows[0]?.n),
        );
        assert.equal(listening, 1, 'the listener is back');
        const again = waitForSignal(b, 'control', 5000);
        await a.setEmergencyStop(false, alice, null);
        assert.equal(await again, true);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('values PostgreSQL cannot store are refused as bad input, and nothing of the batch lands', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await assert.rejects(store.enqueue([job('svc'), job('svc', { payload: { text: 'a\u0000b' } })]), (e: unknown) => {
          assert.ok(e instanceof StoreInputError, String(e));
          assert.match(e.message, /NUL/);
          return true;
        });
        await assert.rejects(store.enqueue([job('svc', { priority: 2 ** 40 })]), (e: unknown) => e instanceof StoreInputError);
        assert.equal(await store.countJobs({}), 0);
      } finally {
        await store.close();
      }
    });

    it('a settlement with NUL characters in output or error still lands', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue([job('svc'), job('svc')]);
        const [a, b] = await store.claim({ workerId: 'w', limit: 2, leaseMs: 60_000 });
        assert.ok(a && b);
        const landed = await store.settle([
          { jobId: a.id, attemptId: a.attempt_id, workerId: 'w', kind: 'completed', output_tail: 'bin\u0000ary', resource_usage: { signal: 'SIG\u0000' } },
          {
            jobId: b.id,
            attemptId: b.attempt_id,
            workerId: 'w',
            kind: 'failed',
            outcome: 'failed',
            error: { message: 'bad\u0000byte', error_class: 'E', fingerprint: 'fp' },
          },
        ]);
        assert.equal(landed.length, 2);
        assert.equal((await store.listAttempts(a.id))[0]?.output_tail, 'binary');
        assert.equal((await store.getJob(b.id))?.error_message, 'badbyte');
      } finally {
        await store.close();
      }
    });

    it('close releases every connection, the listener too', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 3 });
      store.subscribe(() => undefined);
      await Promise.all([store.countJobs({}), store.getControl(), store.listBreakers()]);
      const count = () =>
        admin(db.url, (c) =>
          c
            .query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('opsdeck', 'opsdeck-listen')`)
            .then((r) => Number(r.rows[0]?.n)),
        );
      await sleep(200);
      assert.ok((await count()) >= 2, 'pool and listener connected');
      await store.close();
      for (let i = 0; i < 20 && (await count()) > 0; i++) await sleep(50);
      assert.equal(await count(), 0);
      await assert.rejects(store.countJobs({}), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    });

    it('survives its pooled connections being killed under it', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue([job('svc')]);
        await admin(db.url, (c) =>
          c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'opsdeck'`),
        );
        await sleep(100);
        assert.equal((await store.countJobs({})), 1);
      } finally {
        await store.close();
      }
    });

    it('two processes migrating one new database at once both succeed', async () => {
      const fresh = await createTestDatabase();
      try {
        const stores = await Promise.all([openPostgresStore(fresh.url), openPostgresStore(fresh.url), openPostgresStore(fresh.url)]);
        for (const s of stores) assert.equal((await s.migrationStatus()).current, true);
        await Promise.all(stores.map((s) => s.close()));
        const rows = await admin(fresh.url, (c) => c.query('SELECT version, checksum FROM jobs.opsdeck_migrations').then((r) => r.rows));
        assert.ok(rows.length >= 1);
        const original = rows.find((r) => r.version === 1)?.checksum;
        await admin(fresh.url, (c) => c.query(`UPDATE jobs.opsdeck_migrations SET checksum = 'edited' WHERE version = 1`));
        await assert.rejects(openPostgresStore(fresh.url), (e: unknown) => e instanceof StoreError && e.code === 'migration_changed');
        await admin(fresh.url, (c) => c.query(`UPDATE jobs.opsdeck_migrations SET checksum = $1 WHERE version = 1`, [original]));
        await admin(fresh.url, (c) => c.query(`INSERT INTO jobs.opsdeck_migrations (version, name, checksum) VALUES (9999, 'future', 'x')`));
        await assert.rejects(openPostgresStore(fresh.url), (e: unknown) => e instanceof StoreError && e.code === 'newer_schema');
      } finally {
        await fresh.drop();
      }
    });

    it('a claim reads only the head of the queue, even before statistics know the queue is long', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await admin(db.url, (c) => c.query('ANALYZE jobs.tb_job_run, jobs.tb_job_ready'));
        await store.enqueue(Array.from({ length: 20_000 }, (_, i) => job(`svc${i % 7}`, { priority: i % 3 })));
        const read = await admin(db.url, async (c) => {
          const stats = async () => {
            await c.query('SELECT pg_stat_clear_snapshot()');
            const { rows } = await c.query(`SELECT idx_tup_read::int AS n FROM pg_stat_user_indexes WHERE indexrelname = 'idx_tb_job_ready_order'`);
            return Number(rows[0]?.n ?? 0);
          };
          await c.query('SELECT pg_stat_force_next_flush()');
          const before = await stats();
          const claimed = await c.query(`SELECT json_array_length(jobs.opsdeck_claim('w', 50, 60000, NULL, '{}', '{}', '{}')::json -> 'jobs') AS n`);
          assert.equal(claimed.rows[0]?.n, 50);
          await c.query('SELECT pg_stat_force_next_flush()');
          return (await stats()) - before;
        });
        assert.ok(read >= 50 && read < 500, `the claim read ${read} index entries for 50 jobs out of 20000`);
      } finally {
        await store.close();
      }
    });

    it("the settle's duration bucket is the one shared/latencyBuckets.ts computes, at every boundary", async () => {
      const durations = [0, ...Array.from({ length: 5000 }, (_, i) => i + 1), ...Array.from({ length: 41 }, (_, k) => 2 ** k), ...Array.from({ length: 40 }, (_, k) => 2 ** (k + 1) - 1)];
      // The expression as the live settle has it (functions.sql is checked against a fresh database).
      const settle = await readFile(new URL('./functions.sql', import.meta.url), 'utf8');
      const expression = /CASE WHEN duration_ms < 1 THEN 0 ELSE [^\n]*?END/.exec(settle)?.[0];
      assert.ok(expression, 'the settle computes a duration bucket');
      const rows = await admin(db.url, (c) =>
        c.query<{ duration_ms: string; bucket: number }>(`SELECT duration_ms, ${expression} AS bucket FROM unnest($1::bigint[]) AS duration_ms`, [durations]),
      );
      for (const row of rows.rows) assert.equal(row.bucket, latencyBucket(Number(row.duration_ms)), `${row.duration_ms} ms`);
    });

    it('a count a hand edit made wrong is named by checkCounts, and repair puts it right', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue([job('svc', { queue: 'q' })]);
        await admin(db.url, (c) => c.query(`UPDATE jobs.tb_job_run SET status = 'completed'`));
        const expected = [
          { queue: 'q', service_name: 'svc', execution_type: 'noop', state: 'completed', fingerprint: '', kept: 0, actual: 1 },
          { queue: 'q', service_name: 'svc', execution_type: 'noop', state: 'pending', fingerprint: '', kept: 1, actual: 0 },
        ];
        assert.deepEqual(await store.checkCounts(false), expected);
        assert.deepEqual(await store.checkCounts(true), expected);
        assert.deepEqual(await store.checkCounts(false), []);
        assert.deepEqual(await store.countsByQueueAndStatus(), [{ queue: 'q', status: 'completed', count: 1 }]);
      } finally {
        await store.close();
      }
    });

    it('queries the console makes use their indexes', async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue(Array.from({ length: 20_000 }, (_, i) => job(`svc${i % 20}`, { execution_type: i % 2 ? 'http' : 'shell' })));
        await admin(db.url, async (c) => {
          await c.query(`UPDATE jobs.tb_job_run SET status = 'completed', completed_at = now(), started_at = now() WHERE id % 10 <> 0`);
          await c.query(`UPDATE jobs.tb_job_run SET status = 'failed', completed_at = now(), error_fingerprint = 'fp' || (id % 7),
            error_message = 'boom ' || id, dead_lettered_at = now() WHERE id % 100 = 0`);
          await c.query('ANALYZE jobs.tb_job_run');
        });
        const plan = (sql: string, params: unknown[] = []) =>
          admin(db.url, (c) => c.query(`EXPLAIN ${sql}`, params).then((r) => r.rows.map((row) => String(row['QUERY PLAN'])).join('\n')));
        assert.match(
          await plan(`SELECT job_id FROM jobs.tb_job_ready WHERE run_at <= now() ORDER BY priority DESC, run_at, job_id LIMIT 50 FOR UPDATE SKIP LOCKED`),
          /idx_tb_job_ready_order/,
        );
        assert.match(
          await plan(`SELECT error_fingerprint, count(*) FROM jobs.tb_job_run WHERE status = 'failed' AND resolved_at IS NULL AND error_fingerprint IS NOT NULL GROUP BY 1`),
          /idx_tb_job_run_(dlq|errored)\b/,
        );
        assert.match(await plan(`SELECT id FROM jobs.tb_job_run WHERE id < 15000 ORDER BY id DESC LIMIT 100`), /tb_job_run_pkey/);
        // A text search that matches nothing asks the trigram index, never the whole table.
        assert.match(
          await plan(`SELECT id FROM jobs.tb_job_run WHERE error_message ILIKE '%no such text%' ORDER BY id DESC LIMIT 100`),
          /idx_tb_job_run_error_text|idx_tb_job_run_errored/,
        );
        assert.match(
          await plan(`SELECT sum(completed) FROM jobs.tb_job_rollup WHERE minute >= now() - interval '1 hour' AND minute <= now()`),
          /tb_job_rollup_pkey/,
        );
        assert.match(
          await plan(`SELECT id FROM jobs.tb_job_run WHERE id = ANY(ARRAY(SELECT unnest(job_ids) FROM jobs.tb_job_lease)) AND status = 'running'`),
          /tb_job_run_pkey/,
        );
        assert.match(await plan(`SELECT * FROM jobs.v_execution_performance_by_type WHERE execution_type = 'serverless'`), /idx_tb_job_run_execution_type/);
        // The dead-letter groups' search reads open dead letters only; the list's keeps its own index.
        assert.match(
          await plan(`SELECT id FROM jobs.tb_job_run WHERE dead_lettered_at IS NOT NULL AND resolved_at IS NULL AND status = 'failed'
            AND lower(error_message) LIKE '%boom 1%'`),
          /idx_tb_job_run_open_dead_letter_text/,
        );
        assert.doesNotMatch(
          await plan(`SELECT id FROM jobs.tb_job_run WHERE status = 'failed' AND resolved_at IS NULL AND error_message ILIKE '%boom 1%'
            ORDER BY id DESC LIMIT 101`),
          /idx_tb_job_run_open_dead_letter_text/,
        );
      } finally {
        await store.close();
      }
    });
  });

  it('no index of the job table names a column that claims and settles of healthy jobs change, so both stay HOT updates', async () => {
    // A HOT update writes no index entry; an index that names a changed column (in its key, an expression
    // or its predicate) makes every such update write one in every index, which is most of a claim's cost.
    const changedByHotPath = ['status', 'attempts', 'lease_owner', 'lease_expires_at', 'attempt_id', 'started_at', 'updated_at',
      'cancel_requested', 'completed_at', 'run_at', 'resource_usage', 'security_context'];
    const definitions = await admin(db.url, (c) =>
      c.query<{ def: string }>(`SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'jobs.tb_job_run'::regclass`));
    assert.ok(definitions.rows.length >= 5, 'the job table has its indexes');
    for (const { def } of definitions.rows) {
      const named = changedByHotPath.filter((column) => new RegExp(`\\b${column}\\b`).test(def));
      assert.deepEqual(named, [], def);
    }
  });

  describe('lease rows', () => {
    const leaseRows = () =>
      admin(db.url, async (c) => {
        const { rows } = await c.query<{ worker_id: string; job_ids: string[] }>('SELECT worker_id, job_ids::text[] FROM jobs.tb_job_lease ORDER BY id');
        return rows.map((r) => [r.worker_id, r.job_ids.map(Number)]);
      });

    it("a claim writes one lease row, and the settle of its last job deletes it, however the settles are split", async () => {
      await reset(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await store.enqueue(Array.from({ length: 5 }, () => job('svc')));
        const first = await store.claim({ workerId: 'w', limit: 3, leaseMs: 60_000 });
        const second = await store.claim({ workerId: 'w', limit: 3, leaseMs: 60_000 });
        assert.equal(first.length + second.length, 5);
        assert.deepEqual(await leaseRows(), [['w', first.map((j) => j.id)], ['w', second.map((j) => j.id)]]);
        const done = (j: ClaimedJob) => ({ jobId: j.id, attemptId: j.attempt_id, workerId: 'w', kind: 'completed' as const });
        const [a, b, c] = first;
        assert.ok(a && b && c);
        await store.settle([done(a), ...second.map(done)]);
        assert.deepEqual(await leaseRows(), [['w', first.map((j) => j.id)]], "the second claim's row went with its last job");
        await store.settle([{ jobId: b.id, attemptId: b.attempt_id, workerId: 'w', kind: 'interrupted', reason: 'shutdown' }]);
        await store.settle([done(c)]);
        assert.deepEqual(await leaseRows(), []);
      } finally {
        await store.close();
      }
    });

    it("the watchdog takes back the jobs of a worker that never settled and forgets its lease row, keeping a live worker's", async () => {
      await reset(db.url);
      const gone = await openPostgresStore(db.url, { poolSize: 2 });
      const live = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await gone.enqueue(Array.from({ length: 4 }, () => job('svc')));
        const lost = await gone.claim({ workerId: 'gone', limit: 2, leaseMs: 60_000 });
        const running = await live.claim({ workerId: 'live', limit: 2, leaseMs: 60_000 });
        await admin(db.url, (c) => c.query(`UPDATE jobs.tb_job_run SET lease_expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [lost.map((j) => j.id)]));
        const reclaimed = await live.reclaimExpired();
        assert.deepEqual(reclaimed.retried.sort((x, y) => x - y), lost.map((j) => j.id).sort((x, y) => x - y));
        assert.deepEqual(await leaseRows(), [['live', running.map((j) => j.id)]]);
        assert.equal((await live.runningByService()).svc, 2);
      } finally {
        await gone.close();
        await live.close();
      }
    });
  });

  describe('connection failures', () => {
    it('a refused port fails fast with one line naming the server', async () => {
      await assert.rejects(openPostgresStore('postgres://x@127.0.0.1:1/none'), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'unreachable');
        assert.equal(e.message, 'cannot reach PostgreSQL at 127.0.0.1:1: connection refused; is the server running?');
        return true;
      });
    });

    it('a missing database says so and how to create it', async () => {
      const url = new URL(db.url);
      url.pathname = '/opsdeck_no_such_db';
      await assert.rejects(openPostgresStore(url.toString()), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'no_database');
        assert.match(e.message, /database "opsdeck_no_such_db" does not exist on .*createdb opsdeck_no_such_db/);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    });

    it('an unknown user is an auth failure, and the password never shows', async () => {
      const url = new URL(db.url);
      url.username = 'opsdeck_nobody';
      url.password = 's3cret-pw';
      await assert.rejects(openPostgresStore(url.toString()), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, 'auth');
        assert.doesNotMatch(e.message, /s3cret-pw/);
        return true;
      });
    });

    it('opened without migrations on an empty database, it says to migrate', async () => {
      const empty = await createTestDatabase();
      try {
        const store = await openPostgresStore(empty.url, { migrate: false });
        try {
          const status = await store.migrationStatus();
          assert.deepEqual([status.applied, status.current], [0, false]);
          assert.ok(status.pending >= 2);
          await assert.rejects(store.countJobs({}), (e: unknown) => {
            assert.ok(e instanceof StoreError);
            assert.equal(e.code, 'unavailable');
            assert.match(e.message, /lacks opsdeck's schema.*opsdeck migrate/);
            return true;
          });
        } finally {
          await store.close();
        }
      } finally {
        await empty.drop();
      }
    });

    it('a garbled URL is a bad location', async () => {
      await assert.rejects(openPostgresStore('postgres://[::1'), (e: unknown) => e instanceof StoreError && e.code === 'bad_location');
    });

    it('location drops the password', async () => {
      const url = new URL(db.url);
      const store = await openPostgresStore(url.toString());
      try {
        assert.doesNotMatch(store.location, /:[^/@]*@/);
        assert.match(store.location, /^postgres:\/\//);
      } finally {
        await store.close();
      }
    });
  });
});
