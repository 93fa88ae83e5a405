import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Registry } from '../../shared/registry.ts';
import { silentLogger } from '../log/logger.ts';
import { openStore } from '../store/open.ts';
import { HOUR_MS, hourFloor, minuteFloor } from '../store/rollupHours.ts';
import type { Store } from '../store/store.ts';
import { fillPostgresHistory } from '../store/testing/history/postgres.ts';
import { fillSqliteHistory } from '../store/testing/history/sqlite.ts';
import { createTestDatabase } from '../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../store/testing/sqliteTestDb.ts';
import { Maintainer } from './maintainer.ts';
import { HISTORY_ENGINE } from './testing/historyEngine.ts';

/**
 * Pruning cut short, a call or a round at a time, on a month of history whose hours are summed: after
 * every call the Overview's day, recent failures and metrics.byType read what the minutes kept say, never
 * a pruned minute or a failure sample pointing at one; once done, what the jobs kept say.
 */

type Outcomes = Record<string, { completed: number; failed: number; retried: number }>;

/** What the minute rows kept from `since` on hold, read straight from the tables: what every read must agree with. */
interface Kept {
  outcomes: Outcomes;
  latency: Record<string, number>;
  failures: number;
}

/** The kept rows and jobs of one store, read with its own SQL: the yardstick, not the code under test. */
interface Yardstick {
  kept(sinceMs: number): Promise<Kept>;
  /** The oldest minute the rollups keep, or null. */
  oldestMinute(): Promise<number | null>;
  /**
   * Completed and dead-lettered jobs kept that finished from `sinceMs` on, and the failed attempts kept that
   * ended from then with another after them (retries), per type; failed attempts kept from then.
   */
  jobsFinished(sinceMs: number): Promise<{ outcomes: Outcomes; failedAttempts: number }>;
}

interface Fixture {
  store: Store;
  yardstick: Yardstick;
  close(): Promise<void>;
}

const TypeRow = (row: Record<string, unknown>) => String(row.t);

function outcomesOf(rows: Array<Record<string, unknown>>): Outcomes {
  const out: Outcomes = {};
  for (const row of rows) {
    const entry = { completed: Number(row.c ?? 0), failed: Number(row.f ?? 0), retried: Number(row.r ?? 0) };
    if (entry.completed + entry.failed + entry.retried > 0) out[TypeRow(row)] = entry;
  }
  return out;
}

function latencyOf(rows: Array<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) if (Number(row.n) > 0) out[`${TypeRow(row)}/${Number(row.b)}`] = Number(row.n);
  return out;
}

/**
 * A month of history ending at the last hour's start; the burst fills the hour before it, the newest 900
 * of its 2000 jobs still running or pending, the rest finished in its first half hour.
 */
const JOBS = 20_000;

async function sqliteFixture(nowMs: number): Promise<Fixture> {
  const made = await createSqliteTestStore();
  await made.store.close();
  fillSqliteHistory(made.path, { jobs: JOBS, nowMs, engine: HISTORY_ENGINE });
  const store = await openStore(made.path);
  await store.checkCounts(true);
  const raw = new Database(made.path, { readonly: true });
  const iso = (ms: number) => new Date(ms).toISOString();
  const yardstick: Yardstick = {
    async kept(sinceMs) {
      const since = minuteFloor(sinceMs) / 1000;
      const outcomes = raw.prepare(`SELECT execution_type AS t, sum(completed) AS c, sum(failed) AS f, sum(retried) AS r FROM tb_job_rollup WHERE minute >= ? GROUP BY 1`).all(since);
      const latency = raw.prepare(`SELECT execution_type AS t, bucket AS b, sum(n) AS n FROM tb_job_latency WHERE minute >= ? GROUP BY 1, 2`).all(since);
      const failures = raw.prepare(`SELECT coalesce(sum(failures), 0) AS n FROM tb_failure_rollup WHERE minute >= ?`).get(since);
      return { outcomes: outcomesOf(rowsOf(outcomes)), latency: latencyOf(rowsOf(latency)), failures: Number(rowOf(failures).n) };
    },
    async oldestMinute() {
      const minute = rowOf(raw.prepare(`SELECT min(minute) AS m FROM tb_job_rollup`).get()).m;
      return minute === null ? null : Number(minute) * 1000;
    },
    async jobsFinished(sinceMs) {
      const outcomes = raw
        .prepare(
          `SELECT t, sum(c) AS c, sum(f) AS f, sum(r) AS r FROM (
             SELECT execution_type AS t, status = 'completed' AS c, status = 'failed' AS f, 0 AS r FROM tb_job_run WHERE completed_at >= @since
             UNION ALL
             SELECT j.execution_type, 0, 0, 1 FROM tb_job_attempt a JOIN tb_job_run j ON j.id = a.job_id
             WHERE a.error_class IS NOT NULL AND a.attempt < j.attempts AND a.finished_at >= @since
           ) GROUP BY t`,
        )
        .all({ since: iso(sinceMs) });
      const attempts = raw.prepare(`SELECT count(*) AS n FROM tb_job_attempt WHERE error_class IS NOT NULL AND finished_at >= ?`).get(iso(sinceMs));
      return { outcomes: outcomesOf(rowsOf(outcomes)), failedAttempts: Number(rowOf(attempts).n) };
    },
  };
  return {
    store,
    yardstick,
    async close() {
      raw.close();
      await store.close();
      await made.cleanup();
    },
  };
}

async function postgresFixture(nowMs: number): Promise<Fixture> {
  const db = await createTestDatabase({ migrated: true });
  await fillPostgresHistory(db.url, { jobs: JOBS, nowMs, engine: HISTORY_ENGINE });
  const store = await openStore(db.url);
  await store.checkCounts(true);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const at = (ms: number) => new Date(ms).toISOString();
  const yardstick: Yardstick = {
    async kept(sinceMs) {
      const since = at(minuteFloor(sinceMs));
      const outcomes = await client.query(`SELECT execution_type AS t, sum(completed) AS c, sum(failed) AS f, sum(retried) AS r FROM jobs.tb_job_rollup WHERE minute >= $1 GROUP BY 1`, [since]);
      const latency = await client.query(`SELECT execution_type AS t, bucket AS b, sum(n) AS n FROM jobs.tb_job_latency WHERE minute >= $1 GROUP BY 1, 2`, [since]);
      const failures = await client.query(`SELECT coalesce(sum(failures), 0) AS n FROM jobs.tb_failure_rollup WHERE minute >= $1`, [since]);
      return { outcomes: outcomesOf(outcomes.rows), latency: latencyOf(latency.rows), failures: Number(failures.rows[0]?.n) };
    },
    async oldestMinute() {
      const minute: unknown = (await client.query(`SELECT extract(epoch FROM min(minute)) * 1000 AS m FROM jobs.tb_job_rollup`)).rows[0]?.m;
      return minute === null || minute === undefined ? null : Number(minute);
    },
    async jobsFinished(sinceMs) {
      const outcomes = await client.query(
        `SELECT t, sum(c) AS c, sum(f) AS f, sum(r) AS r FROM (
           SELECT execution_type AS t, (status = 'completed')::int AS c, (status = 'failed')::int AS f, 0 AS r FROM jobs.tb_job_run WHERE completed_at >= $1
           UNION ALL
           SELECT j.execution_type, 0, 0, 1 FROM jobs.tb_job_attempt a JOIN jobs.tb_job_run j ON j.id = a.job_id
           WHERE a.error_class IS NOT NULL AND a.attempt < j.attempts AND a.finished_at >= $1
         ) d GROUP BY t`,
        [at(sinceMs)],
      );
      const attempts = await client.query(`SELECT count(*) AS n FROM jobs.tb_job_attempt WHERE error_class IS NOT NULL AND finished_at >= $1`, [at(sinceMs)]);
      return { outcomes: outcomesOf(outcomes.rows), failedAttempts: Number(attempts.rows[0]?.n) };
    },
  };
  return {
    store,
    yardstick,
    async close() {
      await client.end();
      await store.close();
      await db.drop();
    },
  };
}

function rowsOf(rows: unknown[]): Array<Record<string, unknown>> {
  return rows.map(rowOf);
}

function rowOf(row: unknown): Record<string, unknown> {
  assert.ok(typeof row === 'object' && row !== null, 'a row');
  return Object.fromEntries(Object.entries(row));
}

/** Every read that sums the history, from `sinceMs` on, as the console and the API read it. */
async function reads(store: Store, sinceMs: number) {
  const since = new Date(sinceMs);
  const byType = await store.rollupsByType(since);
  const byService = await store.rollupsByService(since, null);
  const serviceOutcomes = outcomesOf(
    Object.values(
      byService.outcomes.reduce<Record<string, { t: string; c: number; f: number; r: number }>>((sum, o) => {
        const entry = (sum[o.execution_type] ??= { t: o.execution_type, c: 0, f: 0, r: 0 });
        entry.c += o.completed;
        entry.f += o.failed;
        entry.r += o.retried;
        return sum;
      }, {}),
    ),
  );
  const serviceLatency: Record<string, number> = {};
  for (const l of byService.latency) serviceLatency[`${l.execution_type}/${l.bucket}`] = (serviceLatency[`${l.execution_type}/${l.bucket}`] ?? 0) + l.n;
  const day = await store.throughput(since, 3600);
  const failures = await store.recentFailures(since, null, 1000);
  return {
    byType: {
      outcomes: outcomesOf(byType.outcomes.map((o) => ({ t: o.execution_type, c: o.completed, f: o.failed, r: o.retried }))),
      latency: latencyOf(byType.latency.map((l) => ({ t: l.execution_type, b: l.bucket, n: l.n }))),
    },
    byService: { outcomes: serviceOutcomes, latency: latencyOf(Object.entries(serviceLatency).map(([k, n]) => ({ t: k.split('/')[0], b: k.split('/')[1], n }))) },
    day: day.reduce((sum, b) => ({ completed: sum.completed + b.completed, failed: sum.failed + b.failed }), { completed: 0, failed: 0 }),
    failures: failures.total,
    samplesPruned: failures.groups.filter((g) => g.sample_error === null).length,
  };
}

/** The reads agree with the minutes kept: no summed hour counts a pruned minute or points at one for its sample. */
async function assertReadsKept(fixture: Fixture, sinceMs: number, when: string): Promise<void> {
  const kept = await fixture.yardstick.kept(sinceMs);
  const read = await reads(fixture.store, sinceMs);
  const total = (o: Outcomes) => Object.values(o).reduce((sum, e) => ({ completed: sum.completed + e.completed, failed: sum.failed + e.failed }), { completed: 0, failed: 0 });
  assert.deepEqual(read.byType, { outcomes: kept.outcomes, latency: kept.latency }, `metrics.byType ${when}`);
  assert.deepEqual(read.byService, { outcomes: kept.outcomes, latency: kept.latency }, `metrics.byType by service ${when}`);
  assert.deepEqual(read.day, total(kept.outcomes), `the Overview's day ${when}`);
  assert.equal(read.failures, kept.failures, `recent failures ${when}`);
  assert.equal(read.samplesPruned, 0, `no failure group points at a pruned minute for its sample ${when}`);
}

function cutShortSuite(name: string, open: (nowMs: number) => Promise<Fixture>): void {
  describe(`pruning cut short: ${name}`, () => {
    // The fill ends on the hour, its burst the hour before: the cutoff falls a quarter into that summed hour.
    const nowMs = hourFloor(Date.now());
    const cut = nowMs - 45 * 60_000;
    // The Overview's and recent failures' day, from inside an hour so both its edges are read from minutes.
    const daySince = nowMs - 23 * HOUR_MS + 17 * 60_000;

    it('a prune stopped after any call leaves every summed hour counting only the minutes it keeps', async () => {
      const fixture = await open(nowMs);
      try {
        const { store, yardstick } = fixture;
        for (let step = 0; !(await store.sumRollupHours(new Date(), 48)).done; step++) assert.ok(step < 50, 'the month is summed');
        await assertReadsKept(fixture, daySince, 'before pruning');
        let insideCutHour = 0;
        let oldest = await yardstick.oldestMinute();
        for (let calls = 1; ; calls++) {
          assert.ok(calls < 1000, 'the prune comes to an end');
          // The month in large calls, then far fewer rows a call than the cut hour holds before the cutoff:
          // some calls stop inside it, as a round its budget ends may.
          const removed = await store.pruneHistory(new Date(cut), oldest !== null && oldest < hourFloor(cut) ? 2000 : 60);
          await assertReadsKept(fixture, daySince, `after call ${calls}`);
          oldest = await yardstick.oldestMinute();
          if (oldest !== null && oldest > hourFloor(cut) && oldest < cut) insideCutHour++;
          if (removed === 0) break;
        }
        assert.ok(insideCutHour > 0, 'some call stopped inside the hour holding the cutoff');
        assert.ok(((await yardstick.oldestMinute()) ?? cut) >= cut, 'every minute before the cutoff went');
      } finally {
        await fixture.close();
      }
    });

    it('background rounds cut short by a zero budget: the reads agree with the minutes kept after each, and with the jobs kept at the end; pending, running and open dead letters stay', async () => {
      const fixture = await open(nowMs);
      try {
        const { store, yardstick } = fixture;
        for (let step = 0; !(await store.sumRollupHours(new Date(), 48)).done; step++) assert.ok(step < 50, 'the month is summed');
        const protectedJobs = async () => {
          const counts = await store.countsByQueueAndStatus();
          const of = (status: string) => counts.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
          return { pending: of('pending'), running: of('running'), open_dead_letters: await store.deadLetterCount() };
        };
        const kept = await protectedJobs();
        assert.ok(kept.pending > 0 && kept.running > 0 && kept.open_dead_letters > 0, `the history holds each: ${JSON.stringify(kept)}`);
        const hour = '1h';
        const registry: { registry: Registry } = {
          registry: { services: [], retention: { completed: hour, cancelled: hour, dead_letters: hour, history: hour, enabled: true } },
        };
        const keeper = new Maintainer({ store, registry, owner: 'w', log: silentLogger, budgetMs: 0 });
        // As of an hour past the cutoff: the cutoff itself falls inside the summed hour of the burst.
        const roundAt = new Date(cut + HOUR_MS);
        let rounds = 0;
        for (;;) {
          rounds++;
          assert.ok(rounds < 200, 'the rounds come to an end');
          const round = await keeper.runOnce(roundAt);
          assert.ok(round, 'this process held the upkeep');
          await assertReadsKept(fixture, daySince, `after round ${rounds}`);
          assert.deepEqual(await protectedJobs(), kept, `pending, running and open dead letters kept after round ${rounds}`);
          assert.deepEqual(await store.checkCounts(false), [], `the kept counts agree with the jobs after round ${rounds}`);
          if (round.completed + round.cancelled + round.dead_letters + round.historyRows === 0) break;
        }
        assert.ok(rounds > 3, `the prune took several rounds: ${rounds}`);
        const jobs = await yardstick.jobsFinished(cut);
        const read = await reads(store, daySince);
        assert.deepEqual(read.byType.outcomes, jobs.outcomes, 'metrics.byType over the day counts the jobs kept and their retries');
        const total = Object.values(jobs.outcomes).reduce((sum, e) => ({ completed: sum.completed + e.completed, failed: sum.failed + e.failed }), { completed: 0, failed: 0 });
        assert.deepEqual(read.day, total, "the Overview's day counts the jobs kept");
        assert.equal(read.failures, jobs.failedAttempts, "recent failures count the kept jobs' failed attempts");
        assert.equal(read.samplesPruned, 0);
      } finally {
        await fixture.close();
      }
    });
  });
}

cutShortSuite('sqlite', sqliteFixture);
cutShortSuite('postgres', postgresFixture);
