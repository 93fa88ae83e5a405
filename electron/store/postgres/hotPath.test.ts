import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { z } from 'zod';
import { alice, job, sleep } from '../contract/fixtures.ts';
import { StoreInputError } from '../errors.ts';
import { generatedIdentifier } from '../newJobs.ts';
import { openPostgresStore } from './open.ts';
import { OLDEST_BY_QUEUE_SQL, SCHEDULED_BY_QUEUE_SQL } from './backlogReads.ts';
import { LANES_READ_MOST } from '../store.ts';
import type { ClaimedJob } from '../store.ts';
import { createTestDatabase, resetTestDatabase, withClient } from '../testing/pgTestDb.ts';
import type { TestDatabase } from '../testing/pgTestDb.ts';

/**
 * A claim run in a transaction that is rolled back, with what it read of the ready table's indexes:
 * index entries returned, or index pages fetched.
 */
async function rolledBackClaim(url: string, sql: string, params: unknown[], read: 'tuples_returned' | 'blocks_fetched') {
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    try {
      const claimed = await c.query<{ claimed: string }>(sql, params);
      const stats = await c.query<{ n: number }>(
        `SELECT coalesce(sum(pg_stat_get_xact_${read}(indexrelid)), 0)::int AS n FROM pg_index WHERE indrelid = 'jobs.tb_job_ready'::regclass`,
      );
      const jobs = z.object({ jobs: z.array(z.array(z.unknown())) }).parse(JSON.parse(claimed.rows[0]?.claimed ?? '{}')).jobs;
      return { jobs, read: stats.rows[0]?.n ?? -1 };
    } finally {
      await c.query('ROLLBACK');
    }
  });
}

describe('postgres store', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  after(async () => {
    await db.drop();
  });

  describe('postgres only', () => {
    it('ready rows, lease rows and the open dead letters\' text follow the jobs, whatever moved them', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      const drift = () =>
        withClient(db.url, async (c) => {
          const { rows } = await c.query(`
            SELECT 'pending without ready row' AS problem, id FROM jobs.tb_job_run j WHERE status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM jobs.tb_job_ready r WHERE r.job_id = j.id AND r.priority = j.priority AND r.run_at = j.run_at)
            UNION ALL SELECT 'ready row of a job not pending', r.job_id FROM jobs.tb_job_ready r
              WHERE NOT EXISTS (SELECT 1 FROM jobs.tb_job_run j WHERE j.id = r.job_id AND j.status = 'pending')
            UNION ALL SELECT 'running without a lease row of its worker', id FROM jobs.tb_job_run j WHERE status = 'running'
              AND NOT EXISTS (SELECT 1 FROM jobs.tb_job_lease l WHERE j.id = ANY(l.job_ids) AND l.worker_id = j.lease_owner)
            UNION ALL SELECT 'ready row twice', job_id FROM jobs.tb_job_ready GROUP BY job_id HAVING count(*) > 1
            UNION ALL SELECT 'open dead letter without its text', id FROM jobs.tb_job_run j WHERE status = 'failed' AND resolved_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM jobs.tb_open_dead_letter d WHERE d.job_id = j.id AND d.error_lower = lower(coalesce(j.error_message, ''))
                AND d.error_fingerprint = j.error_fingerprint AND d.service_name = j.service_name)
            UNION ALL SELECT 'dead-letter text of a job not an open dead letter', d.job_id FROM jobs.tb_open_dead_letter d
              WHERE NOT EXISTS (SELECT 1 FROM jobs.tb_job_run j WHERE j.id = d.job_id AND j.status = 'failed' AND j.resolved_at IS NULL)`);
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
          { ...base(interrupted), kind: 'interrupted', reason: 'emergency stop', ran: true },
        ]);
        assert.equal(landed.length, 4);
        assert.deepEqual(await drift(), []);
        await store.cancelJob(cancelled.id, alice, 'not needed');
        await store.settle([{ ...base(cancelled), kind: 'cancelled', reason: 'not needed', ran: true }]);
        const pendingId = ids.find((id) => !claimed.some((c) => c.id === id));
        assert.ok(pendingId !== undefined);
        assert.equal((await store.cancelJob(pendingId, alice, null))?.job.status, 'cancelled');
        assert.equal((await store.cancelJob(heldForCancel.id, alice, null))?.job.cancel_requested, true);
        assert.deepEqual(await drift(), []);
        await withClient(db.url, (c) => c.query(`UPDATE jobs.tb_job_run SET lease_expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [[lost.id, heldForCancel.id]]));
        const reclaimed = await store.reclaimExpired();
        assert.deepEqual(reclaimed, { retried: [], failed: [lost.id], cancelled: [heldForCancel.id] });
        assert.deepEqual(await drift(), []);
        assert.equal((await store.retryJob(pendingId, alice))?.status, 'pending');
        assert.equal((await store.dlqRetry({}, alice)).retried, 2, 'the failed job and the lost one');
        assert.deepEqual(await drift(), []);
        const again = await store.claim({ workerId: 'w2', limit: 100, leaseMs: 60_000 });
        assert.deepEqual(
          again.map((j) => j.id).sort((a, b) => a - b),
          [interrupted.id, failed.id, lost.id, pendingId, ...ids.filter((id) => !claimed.some((c) => c.id === id) && id !== pendingId)].sort((a, b) => a - b),
          'every job back in pending is claimable, the one retried later is not yet due',
        );
        assert.deepEqual(await drift(), []);
        const [resolved, edited, removed, failedByHand] = again;
        assert.ok(resolved && edited && removed && failedByHand);
        assert.equal((await store.failRunningJob(failedByHand.id, 'w2', alice, 'stuck on a lock'))?.status, 'failed');
        await store.settle([resolved, edited, removed].map((j) => ({ jobId: j.id, attemptId: j.attempt_id, workerId: 'w2', kind: 'failed' as const, error, outcome: 'failed' as const })));
        const open = await withClient(db.url, (c) => c.query('SELECT count(*)::int AS n FROM jobs.tb_open_dead_letter').then((r) => r.rows[0]?.n));
        assert.equal(open, 4, 'three failed by their settle, one by an operator');
        assert.equal(await store.dlqResolve({ job_ids: [resolved.id] }, 'known', alice), 1);
        await withClient(db.url, async (c) => {
          await c.query(`UPDATE jobs.tb_job_run SET error_message = 'edited by hand', error_fingerprint = 'fp-edited' WHERE id = $1`, [edited.id]);
          await c.query('DELETE FROM jobs.tb_job_run WHERE id = $1', [removed.id]);
        });
        assert.deepEqual(await drift(), []);
        // A workflow task that failed, and the retry of its run.
        const { run_id: runId } = await store.startWorkflowRun(
          { identifier: 'drift', workflow: 'etl', payload: {}, stuckAfterMs: 3_600_000, tasks: [{ name: 'only', depends_on: [], pass_output: null, job: { ...job('svc', { queue: 'wf', max_attempts: 1 }), identifier: 'drift/only' } }] },
          alice,
        );
        const [task] = await store.claim({ workerId: 'w3', limit: 1, leaseMs: 60_000, queues: ['wf'] });
        assert.ok(task);
        await store.settle([{ jobId: task.id, attemptId: task.attempt_id, workerId: 'w3', kind: 'failed', error, outcome: 'failed' }]);
        assert.deepEqual(await drift(), []);
        assert.deepEqual(await store.retryWorkflowRun(runId, alice), { retried: [task.id], found: 'failed' });
        assert.deepEqual(await drift(), []);
      } finally {
        await store.close();
      }
    });

    it('a batch of generated identifiers that meets an existing one still lands whole, that job not created twice', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        // The first identifier of the next bulk: the prefix generatedIdentifier hands out next (the counter
        // one on, at any millisecond of the next few seconds) and place 0.
        const sample = /^svc-([0-9a-z]+)([0-9a-z]{4})([0-9a-f]{8})$/.exec(generatedIdentifier('svc'));
        assert.ok(sample?.[1] && sample[2] && sample[3]);
        const counter = (parseInt(sample[2], 36) + 1).toString(36).padStart(4, '0');
        const start = parseInt(sample[1], 36);
        const taken = Array.from({ length: 5000 }, (_, ms) => `svc-${(start + ms).toString(36)}${counter}${sample[3]}-0`);
        await withClient(db.url, (c) =>
          c.query(`INSERT INTO jobs.tb_job_run (identifier, service_name, execution_type, status, completed_at)
            SELECT unnest($1::text[]), 'svc', 'noop', 'completed', now()`, [taken]),
        );
        const results = await store.enqueue(Array.from({ length: 3 }, () => job('svc')));
        assert.deepEqual(results.map((r) => r.created), [false, true, true]);
        assert.ok(taken.includes(results[0]?.identifier ?? ''));
        const pending = await withClient(db.url, (c) => c.query(`SELECT count(*)::int AS n FROM jobs.tb_job_ready`).then((r) => r.rows[0]?.n));
        assert.equal(pending, 2, 'the two new jobs are queued, the existing one is left as it was');
      } finally {
        await store.close();
      }
    });

    it('a claim never reads through the jobs it leaves out, however many sit ahead of the ones it takes', async () => {
      const backlog = 20_000;
      const older = new Date(Date.now() - 3_600_000).toISOString();
      // Each backlog is ahead in dispatch order (older, or of a higher priority) of every job the claim may take.
      const cases = [
        { why: 'breaker open', ahead: job('flaky', { run_at: older }), args: [null, ['flaky'], [], []] },
        { why: 'capped to nothing', ahead: job('flaky', { run_at: older }), args: [null, [], ['flaky'], [0]] },
        { why: 'another queue', ahead: job('svc', { queue: 'other', priority: 9 }), args: [['default'], [], [], []] },
        { why: 'queue paused', ahead: job('svc', { queue: 'held', priority: 9 }), args: [null, [], [], []] },
      ];
      for (const { why, ahead, args } of cases) {
        await resetTestDatabase(db.url);
        const store = await openPostgresStore(db.url, { poolSize: 2 });
        try {
          for (let n = 0; n < backlog; n += 5000) await store.enqueue(Array.from({ length: 5000 }, () => ({ ...ahead })));
          await store.enqueue(Array.from({ length: 10 }, () => job('healthy')));
          await store.setQueuePaused('held', true, alice, null);
          const claim = await rolledBackClaim(db.url, 'SELECT jobs.opsdeck_claim($1, 5, 60000, $2, $3, $4, $5) AS claimed', ['w', ...args], 'tuples_returned');
          const [services, read] = [claim.jobs.map((j) => j[3]), claim.read];
          assert.deepEqual(services, Array.from({ length: 5 }, () => 'healthy'), why);
          // It may count up to 2 049 of the jobs it leaves out, to choose between a walk and the lanes.
          assert.ok(read < 2500, `${why}: the claim read ${read} index entries of the ready table to take 5 jobs`);
        } finally {
          await store.close();
        }
      }
    });

    it('a claim that leaves jobs out takes the next best when another claim holds the best, as a walk would', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        // q1: five urgent jobs then ten ordinary ones; q2: ten of a priority between.
        await store.enqueue(Array.from({ length: 5 }, (_, i) => job('a', { identifier: `urgent${i}`, queue: 'q1', priority: 9 })));
        await store.enqueue(Array.from({ length: 10 }, (_, i) => job('a', { identifier: `ordinary${i}`, queue: 'q1', priority: 0 })));
        await store.enqueue(Array.from({ length: 10 }, (_, i) => job('b', { identifier: `middle${i}`, queue: 'q2', priority: 5 })));
        const claimSql = `SELECT jobs.opsdeck_claim($1, 5, 60000, NULL, '{zzz}', '{}', '{}') AS claimed`;
        await holder.query('BEGIN');
        const held = z.object({ jobs: z.array(z.array(z.unknown())) }).parse(JSON.parse(String((await holder.query(claimSql, ['holder'])).rows[0]?.claimed))).jobs;
        assert.deepEqual(held.map((j) => j[1]), Array.from({ length: 5 }, (_, i) => `urgent${i}`));
        // The holder's transaction is still open: its five are locked, not yet running.
        const claimed = await store.claim({ workerId: 'w', limit: 5, leaseMs: 60_000, excludeServices: ['zzz'] });
        assert.deepEqual(claimed.map((j) => j.identifier), Array.from({ length: 5 }, (_, i) => `middle${i}`));
        const gated = await withClient(db.url, async (c) =>
          z.object({ jobs: z.array(z.array(z.unknown())) }).parse(JSON.parse(String(
            (await c.query(`SELECT jobs.opsdeck_claim_gated('g', 3, 60000, NULL, 'a', NULL, NULL, NULL) AS claimed`)).rows[0]?.claimed,
          ))).jobs,
        );
        assert.deepEqual(gated.map((j) => j[1]), ['ordinary0', 'ordinary1', 'ordinary2'], 'the gated claim takes what the holder left of its service');
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
        await store.close();
      }
    });

    it('a claim beside another that holds more of the best jobs than it can step around still takes free ones', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await store.enqueue(Array.from({ length: 60 }, (_, i) => job('a', { identifier: `urgent${i}`, queue: 'q1', priority: 9 })));
        await store.enqueue(Array.from({ length: 10 }, (_, i) => job('b', { identifier: `middle${i}`, queue: 'q2', priority: 5 })));
        // More left out than a claim walks past: it goes by lane.
        for (let i = 0; i < 2; i++) await store.enqueue(Array.from({ length: 4200 }, () => job('flaky')));
        await holder.query('BEGIN');
        await holder.query(`SELECT jobs.opsdeck_claim('holder', 50, 60000, NULL, '{flaky}', '{}', '{}')`);
        const claimed = await store.claim({ workerId: 'w', limit: 5, leaseMs: 60_000, excludeServices: ['flaky'] });
        assert.deepEqual(claimed.map((j) => j.identifier), ['urgent50', 'urgent51', 'urgent52', 'urgent53', 'urgent54']);
        assert.ok(claimed.every((j) => j.service_name !== 'flaky'));
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
        await store.close();
      }
    });

    it('a claim reads no further into a lane than its due jobs, however many wait for later', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
        for (let i = 0; i < 4; i++) await store.enqueue(Array.from({ length: 5000 }, () => job('reports', { queue: 'reports', run_at: tomorrow })));
        await store.enqueue(Array.from({ length: 3 }, () => job('reports', { queue: 'reports' })));
        await store.enqueue(Array.from({ length: 10 }, () => job('healthy')));
        // A cap to count: the claim goes by lane.
        const { jobs, read } = await rolledBackClaim(db.url, `SELECT jobs.opsdeck_claim('w', 20, 60000, NULL, '{}', '{healthy}', '{19}') AS claimed`, [], 'blocks_fetched');
        const taken = jobs.length;
        assert.equal(taken, 13, 'every due job, none of tomorrow\'s');
        assert.ok(read < 100, `the claim read ${read} index pages of the ready table beside 20 000 jobs due tomorrow`);
      } finally {
        await store.close();
      }
    });

    it('a claim that finds fewer due jobs than it may take reads none of the jobs due later, walking or gated', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        // Retries in backoff: many jobs of the same priority as the due ones, due tomorrow.
        const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
        for (let i = 0; i < 8; i++) await store.enqueue(Array.from({ length: 5000 }, () => job('reports', { run_at: tomorrow })));
        await store.enqueue(Array.from({ length: 3 }, (_, i) => job('reports', { identifier: `due${i}` })));
        await store.enqueue(Array.from({ length: 3 }, (_, i) => job('reports', { identifier: `low${i}`, priority: -1 })));
        const claims = [
          { how: 'nothing left out', sql: `SELECT jobs.opsdeck_claim('w', 20, 60000, NULL, '{}', '{}', '{}') AS claimed` },
          { how: 'a service left out', sql: `SELECT jobs.opsdeck_claim('w', 20, 60000, NULL, '{zzz}', '{}', '{}') AS claimed` },
          { how: 'gated', sql: `SELECT jobs.opsdeck_claim_gated('w', 20, 60000, NULL, 'reports', NULL, NULL, NULL) AS claimed` },
        ];
        for (const { how, sql } of claims) {
          const { jobs, read } = await rolledBackClaim(db.url, sql, [], 'blocks_fetched');
          assert.deepEqual(jobs.map((j) => j[1]), ['due0', 'due1', 'due2', 'low0', 'low1', 'low2'], how);
          assert.ok(read < 30, `${how}: the claim read ${read} index pages of the ready table beside 40 000 jobs due tomorrow`);
        }
      } finally {
        await store.close();
      }
    });

    it('the oldest pending job of each queue is found without reading the jobs behind it', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        for (let i = 0; i < 8; i++) await store.enqueue(Array.from({ length: 5000 }, (_, k) => job('reports', { queue: 'reports', priority: k % 2 })));
        await store.enqueue(Array.from({ length: 3 }, () => job('billing', { queue: 'billing' })));
        const read = await withClient(db.url, async (c) => {
          await c.query('BEGIN');
          try {
            const queues = (await c.query<{ queue: string }>(OLDEST_BY_QUEUE_SQL, [LANES_READ_MOST])).rows.map((r) => r.queue);
            const stats = await c.query<{ n: number }>(
              `SELECT (pg_stat_get_xact_blocks_fetched('jobs.tb_job_ready'::regclass) + coalesce(sum(pg_stat_get_xact_blocks_fetched(indexrelid)), 0))::int AS n
               FROM pg_index WHERE indrelid = 'jobs.tb_job_ready'::regclass`,
            );
            return { queues, pages: stats.rows[0]?.n ?? -1 };
          } finally {
            await c.query('ROLLBACK');
          }
        });
        assert.deepEqual(read.queues, ['billing', 'reports']);
        assert.ok(read.pages < 40, `read ${read.pages} pages of the ready table and its indexes beside 40 000 pending jobs`);
      } finally {
        await store.close();
      }
    });

    it('each queue\'s jobs not yet due are counted without reading the due backlog', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        for (let i = 0; i < 8; i++) await store.enqueue(Array.from({ length: 5000 }, (_, k) => job('reports', { queue: 'reports', priority: k % 2 })));
        const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
        await store.enqueue(Array.from({ length: 3 }, (_, k) => job('reports', { queue: 'reports', priority: k % 2, run_at: tomorrow })));
        await store.enqueue(Array.from({ length: 2 }, () => job('billing', { queue: 'billing', run_at: tomorrow })));
        const read = await withClient(db.url, async (c) => {
          await c.query('BEGIN');
          try {
            const rows = (await c.query<{ queue: string; n: string }>(SCHEDULED_BY_QUEUE_SQL, [10_001])).rows;
            const stats = await c.query<{ n: number }>(
              `SELECT (pg_stat_get_xact_blocks_fetched('jobs.tb_job_ready'::regclass) + coalesce(sum(pg_stat_get_xact_blocks_fetched(indexrelid)), 0))::int AS n
               FROM pg_index WHERE indrelid = 'jobs.tb_job_ready'::regclass`,
            );
            return { counts: Object.fromEntries(rows.map((r) => [r.queue, Number(r.n)])), pages: stats.rows[0]?.n ?? -1 };
          } finally {
            await c.query('ROLLBACK');
          }
        });
        assert.deepEqual(read.counts, { billing: 2, reports: 3 });
        assert.ok(read.pages < 40, `read ${read.pages} pages of the ready table and its indexes beside 40 000 due jobs`);
      } finally {
        await store.close();
      }
    });

    it('a claim over many queues reads each queue about as deep as its share, not to the claim\'s limit in every one', async () => {
      await resetTestDatabase(db.url);
      const store = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        const queues = Array.from({ length: 30 }, (_, i) => `q${i}`);
        await store.enqueue(Array.from({ length: 6000 }, (_, i) => job('svc', { queue: queues[i % 30] ?? 'q0' })));
        // Ahead of them and left out, more than a claim walks past: it goes by lane.
        for (let i = 0; i < 2; i++) await store.enqueue(Array.from({ length: 4200 }, () => job('svc', { queue: 'other', priority: 9 })));
        const { jobs, read } = await rolledBackClaim(db.url, `SELECT jobs.opsdeck_claim('w', 150, 60000, $1, '{}', '{}', '{}') AS claimed`, [queues], 'tuples_returned');
        const taken = jobs.length;
        assert.equal(taken, 150);
        // The lanes listed, up to 2 049 left out counted, about twice an even share of each head, the 150
        // locked: not 30 x 150 on top.
        assert.ok(read < 3500, `the claim read ${read} index entries of the ready table to take 150 jobs from 30 queues`);
      } finally {
        await store.close();
      }
    });

    it('four pools claiming and settling for many rounds never hold the same job', async () => {
      await resetTestDatabase(db.url);
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
        const [counts] = await withClient(db.url, (c) =>
          c.query(`SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
                     (SELECT count(*)::int FROM jobs.tb_job_attempt) AS attempts FROM jobs.tb_job_run`).then((r) => r.rows),
        );
        assert.deepEqual(counts, { completed: total, attempts: total });
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('a settlement racing the watchdog over an expired lease lands or is reclaimed, never both', async () => {
      await resetTestDatabase(db.url);
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
        const rows = await withClient(db.url, (c) =>
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

    it('values PostgreSQL cannot store are refused as bad input, and nothing of the batch lands', async () => {
      await resetTestDatabase(db.url);
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
      await resetTestDatabase(db.url);
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
  });

  describe('lease rows', () => {
    const leaseRows = () =>
      withClient(db.url, async (c) => {
        const { rows } = await c.query<{ worker_id: string; job_ids: string[] }>('SELECT worker_id, job_ids::text[] FROM jobs.tb_job_lease ORDER BY id');
        return rows.map((r) => [r.worker_id, r.job_ids.map(Number)]);
      });

    it("a claim writes one lease row, and the settle of its last job deletes it, however the settles are split", async () => {
      await resetTestDatabase(db.url);
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
        await store.settle([{ jobId: b.id, attemptId: b.attempt_id, workerId: 'w', kind: 'interrupted', reason: 'shutdown', ran: true }]);
        await store.settle([done(c)]);
        assert.deepEqual(await leaseRows(), []);
      } finally {
        await store.close();
      }
    });

    it("the watchdog takes back the jobs of a worker that never settled and forgets its lease row, keeping a live worker's", async () => {
      await resetTestDatabase(db.url);
      const gone = await openPostgresStore(db.url, { poolSize: 2 });
      const live = await openPostgresStore(db.url, { poolSize: 2 });
      try {
        await gone.enqueue(Array.from({ length: 4 }, () => job('svc')));
        const lost = await gone.claim({ workerId: 'gone', limit: 2, leaseMs: 60_000 });
        const running = await live.claim({ workerId: 'live', limit: 2, leaseMs: 60_000 });
        await withClient(db.url, (c) => c.query(`UPDATE jobs.tb_job_run SET lease_expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [lost.map((j) => j.id)]));
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
});
