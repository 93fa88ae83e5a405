import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { deadLetter, err } from '../contract/fixtures.ts';
import { runStoreContract } from '../contract/index.ts';
import { generatedIdentifier } from '../newJobs.ts';
import { openStore } from '../open.ts';
import type { Store } from '../store.ts';
import { ClaimPick, prepareClaimPick } from './claimPick.ts';
import type { Connection } from './db.ts';
import { FailedPages } from './failedPages.ts';
import { LaneList } from './lanes.ts';
import { prepareJobStatements } from './jobs.ts';
import { prepareOperatorStatements } from './operator.ts';
import { prepareReadStatements } from './reads.ts';
import { createSqliteTestStore } from '../testing/sqliteTestDb.ts';

runStoreContract('sqlite', async () => {
  const { store, path, cleanup } = await createSqliteTestStore();
  const seconds: Store[] = [];
  return {
    store,
    async openSecond() {
      const second = await openStore(path);
      seconds.push(second);
      return second;
    },
    async cleanup() {
      await Promise.all(seconds.map((s) => s.close()));
      await cleanup();
    },
  };
});

/**
 * The connection, with every row its statements hand back counted: what a claim reads, since it checks
 * run_at itself.
 */
function countingRows(db: Connection): { db: Connection; rows(): number } {
  let rows = 0;
  const iterable = (x: unknown): x is Iterable<unknown> => typeof x === 'object' && x !== null && Symbol.iterator in x;
  const statement = (target: object): object =>
    new Proxy(target, {
      get(of, prop, receiver) {
        const value: unknown = Reflect.get(of, prop);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = Reflect.apply(value, of, args);
          // raw() and pluck() give the statement back: keep counting through it.
          if (result === of) return receiver;
          if (prop === 'all' && Array.isArray(result)) rows += result.length;
          if (prop === 'get' && result !== undefined) rows += 1;
          if (prop === 'iterate' && iterable(result)) {
            return (function* () {
              for (const row of result) {
                rows++;
                yield row;
              }
            })();
          }
          return result;
        };
      },
    });
  const counted = new Proxy(db, {
    get(of, prop) {
      const value: unknown = Reflect.get(of, prop);
      if (prop !== 'prepare' || typeof value !== 'function') return typeof value === 'function' ? value.bind(of) : value;
      return (...args: unknown[]) => {
        const made: unknown = Reflect.apply(value, of, args);
        return typeof made === 'object' && made !== null ? statement(made) : made;
      };
    },
  });
  return { db: counted, rows: () => rows };
}

describe('sqlite specifics', () => {
  test('the file is in WAL mode', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      const raw = new Database(path, { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
      assert.equal(store.dialect, 'sqlite');
      assert.equal(store.location, path);
      assert.equal(store.poolUse(), null, 'one connection, no pool to run out of');
      assert.equal(store.takePoolPeaks(), null, 'nor a pool for a heartbeat to report');
      assert.equal(await store.connectionRoom(), null);
    } finally {
      await cleanup();
    }
  });

  test('committed writes reach the database file from a background thread, and close ends that thread', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      const before = statSync(path).size;
      // A few hundred pages: far below SQLite's own automatic checkpoint, so only the thread copies them.
      await store.enqueue(Array.from({ length: 3000 }, (_, i) => ({ queue: 'default', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1, payload: { i } })));
      assert.equal(statSync(path).size, before, 'a commit in WAL mode leaves the database file as it was');
      const deadline = Date.now() + 5000;
      while (statSync(path).size === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(statSync(path).size > before, 'the checkpoint thread copied the log into the file');
      await store.close();
      // The last connection to close removes the log: had the thread's connection outlived close(), it would still be there.
      assert.equal(existsSync(`${path}-wal`), false);
    } finally {
      await cleanup();
    }
  });

  test('a new database is made with 16 KiB pages; one made with another size keeps it and works', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    const older = `${path}.older.db`;
    try {
      await store.close();
      const pageSize = (file: string): unknown => {
        const raw = new Database(file, { readonly: true });
        try {
          return raw.pragma('page_size', { simple: true });
        } finally {
          raw.close();
        }
      };
      assert.equal(pageSize(path), 16_384);
      // As an earlier opsdeck made them: SQLite's default page, already in WAL mode.
      const made = new Database(older);
      made.pragma('page_size = 4096');
      made.pragma('journal_mode = WAL');
      made.close();
      const reopened = await openStore(older);
      try {
        const [result] = await reopened.enqueue([{ queue: 'default', service_name: 'svc', execution_type: 'noop', max_attempts: 1 }]);
        assert.equal(result?.created, true);
      } finally {
        await reopened.close();
      }
      assert.equal(pageSize(older), 4096);
    } finally {
      await cleanup();
    }
  });

  test('a bulk whose generated identifier meets a stored one keeps that job and creates the rest', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      // The group prefix the next enqueue will draw: the counter one on, at any millisecond of the next few seconds.
      const sample = /^svc-([0-9a-z]+)([0-9a-z]{4})([0-9a-f]{8})$/.exec(generatedIdentifier('svc'));
      assert.ok(sample?.[1] && sample[2] && sample[3]);
      const counter = (parseInt(sample[2], 36) + 1).toString(36).padStart(4, '0');
      const start = parseInt(sample[1], 36);
      const raw = new Database(path);
      try {
        const insert = raw.prepare(`INSERT INTO tb_job_run (identifier, service_name, execution_type, status, max_attempts, run_at) VALUES (?, 'svc', 'noop', 'completed', 1, 'x')`);
        raw.transaction(() => {
          for (let ms = 0; ms < 5000; ms++) insert.run(`svc-${(start + ms).toString(36)}${counter}${sample[3]}-1`);
        })();
      } finally {
        raw.close();
      }
      const results = await store.enqueue(Array.from({ length: 3 }, (_, i) => ({ queue: 'default', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1, payload: { i } })));
      assert.deepEqual(results.map((r) => r.created), [true, false, true]);
      const kept = await store.getJob(results[1]?.id ?? 0);
      assert.equal(kept?.status, 'completed', 'the stored job is left as it was');
      assert.equal(kept?.identifier, results[1]?.identifier);
      for (const place of [0, 2]) {
        const made = await store.getJob(results[place]?.id ?? 0);
        assert.deepEqual([made?.status, made?.payload, made?.identifier], ['pending', { i: place }, results[place]?.identifier]);
      }
    } finally {
      await cleanup();
    }
  });

  // Rows handed back are all a claim reads, since it checks run_at itself (the plan test keeps run_at out
  // of the SQL, where it would not bound the read).
  test('a claim reads one job scheduled for later a priority, not all of them, walking or not', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    const raw = new Database(path);
    try {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      const noop = { queue: 'default', execution_type: 'noop' as const, max_attempts: 3 };
      for (let i = 0; i < 4; i++) await store.enqueue(Array.from({ length: 5000 }, (_, k) => ({ ...noop, service_name: 'reports', priority: k % 2, run_at: tomorrow })));
      await store.enqueue(Array.from({ length: 3 }, () => ({ ...noop, service_name: 'reports', priority: 1 })));
      await store.enqueue(Array.from({ length: 3 }, () => ({ ...noop, service_name: 'reports', priority: -1 })));
      const now = new Date().toISOString();
      for (const [how, rules, most] of [
        // Three due and one due later at priority 1, one due later at 0, then those due at -1.
        ['nothing left out', { limit: 4, queues: null, exclude: new Set<string>(), caps: new Map<string, number>(), now }, 6],
        ['a service left out', { limit: 20, queues: null, exclude: new Set(['zzz']), caps: new Map<string, number>(), now }, 8],
      ] as const) {
        const counting = countingRows(raw);
        const pick = new ClaimPick(counting.db);
        const before = counting.rows();
        assert.equal(pick.pick(rules).length, Math.min(6, rules.limit), how);
        const read = counting.rows() - before;
        assert.ok(read <= most, `${how}: read ${read} rows beside 20 000 jobs due tomorrow`);
      }
    } finally {
      raw.close();
      await cleanup();
    }
  });

  test('a job stored with a priority past 32 bits by an earlier version is still claimed first', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    const raw = new Database(path);
    try {
      const noop = { queue: 'default', execution_type: 'noop' as const, max_attempts: 3 };
      const [big] = await store.enqueue([{ ...noop, service_name: 'big' }, { ...noop, service_name: 'plain' }]);
      raw.prepare('UPDATE tb_job_run SET priority = ? WHERE id = ?').run(2 ** 40, big?.id ?? 0);
      assert.deepEqual((await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 })).map((j) => j.service_name), ['big']);
      raw.prepare("UPDATE tb_job_run SET priority = ? WHERE service_name = 'plain'").run(2 ** 41);
      assert.deepEqual((await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, queues: ['default'] })).map((j) => j.service_name), ['plain'], 'walking, too');
    } finally {
      raw.close();
      await cleanup();
    }
  });

  test('the hot statements walk their indexes instead of sorting or scanning', async () => {
    const { path, cleanup } = await createSqliteTestStore();
    const raw = new Database(path);
    try {
      const statements = { ...prepareJobStatements(raw), ...prepareReadStatements(raw), ...prepareOperatorStatements(raw) };
      const plan = (source: string, params: unknown[]) =>
        raw
          .prepare(`EXPLAIN QUERY PLAN ${source}`)
          .all(...params)
          .map((row) => String(Reflect.get(row ?? {}, 'detail')))
          .join(' | ');
      const named = { now: 'x', queues: null, exclude: '[]', skip: '[]', limit: 1, ids: '[]', worker: 'w', lease: 'x' };
      const pick = prepareClaimPick(raw);
      const lanes = new LaneList(raw).statements;
      // A claim reads the top priority's due jobs bounded by run_at, then walks the claim index in dispatch
      // order from below a priority (it starts again below the priority of a job not yet due).
      const top = plan(pick.dueAt.source, [0, 'x', 1]);
      assert.match(top, /idx_tb_job_run_claim \(status=\? AND priority=\? AND run_at<\?\)/);
      assert.doesNotMatch(top, /TEMP B-TREE/);
      const rest = plan(pick.dueAfter.source, [0, 'x', 'w', 1, 1]);
      assert.match(rest, /idx_tb_job_run_claim \(status=\? AND priority=\? AND run_at[<>]/);
      assert.doesNotMatch(rest, /TEMP B-TREE/);
      assert.match(plan(pick.topPriority.source, []), /^SEARCH tb_job_run USING COVERING INDEX idx_tb_job_run_claim \(status=\?\)$/);
      for (const statement of [pick.inOrderBelow, pick.walkBelow]) {
        const read = plan(statement.source, [0]);
        assert.match(read, /idx_tb_job_run_claim \(status=\? AND priority<\?\)/);
        assert.doesNotMatch(read, /TEMP B-TREE/);
        // run_at is checked by the reader, which stops at the first job not yet due: in SQL it would not
        // bound the read (it follows a range on priority) and every job due later would be stepped over.
        assert.doesNotMatch(statement.source, /run_at\s*<=/);
      }
      // A claim that leaves many jobs out seeks lane by lane and reads each lane's due head, bounded by run_at.
      assert.match(plan(lanes.nextPriority.source, ['q', 's', 0]), /^SEARCH tb_job_run USING COVERING INDEX idx_tb_job_run_claim_group \(queue=\? AND service_name=\? AND priority<\?\)$/);
      assert.match(plan(lanes.nextServiceInQueue.source, ['q', 's']), /^SEARCH tb_job_run USING COVERING INDEX idx_tb_job_run_claim_group \(queue=\? AND service_name>\?\)$/);
      assert.match(plan(lanes.nextQueue.source, ['q']), /^SEARCH tb_job_run USING COVERING INDEX idx_tb_job_run_claim_group \(queue>\?\)$/);
      const head = plan(pick.laneHead.source, ['q', 's', 0, 'x', 1]);
      assert.match(head, /idx_tb_job_run_claim_group \(queue=\? AND service_name=\? AND priority=\? AND run_at<\?\)/);
      assert.doesNotMatch(head, /TEMP B-TREE/);
      assert.match(plan(statements.lease.source, [named]), /^SEARCH tb_job_run USING INTEGER PRIMARY KEY/);
      assert.match(plan(statements.extend.source, [named]), /^SEARCH tb_job_run USING INTEGER PRIMARY KEY/);
      assert.match(plan(statements.settleCompleted.source, ['n', 'n', null, null, null, 1, 'w', 1]), /^SEARCH tb_job_run USING INTEGER PRIMARY KEY/);
      assert.match(plan(statements.throughput.source, [60, 60, 0, 0]), /SEARCH tb_job_rollup USING PRIMARY KEY \(minute>\? AND minute<\?\)/);
      // Pending jobs are found level by level through the claim index, never by reading the backlog.
      for (const statement of [statements.oldestPending, statements.scheduled, statements.scheduledByQueue]) {
        const walk = plan(statement.source, statement === statements.oldestPending ? [] : [{ now: 'x', cap: 1 }]);
        assert.match(walk, /idx_tb_job_run_claim \(status=\? AND priority=\?/);
        assert.doesNotMatch(walk, /SCAN tb_job_run/);
      }
      // A dead-letter group's jobs, newest failure first: a walk of its entries in the index of failure times.
      const byFailure = plan(new FailedPages(raw).statement.source, [{ fingerprint: 'fp', at: 'x', id: 1, limit: 1 }]);
      assert.match(byFailure, /^SEARCH tb_job_run USING INDEX idx_tb_job_run_dlq_failed_at \(error_fingerprint=\? AND completed_at<\?\)$/);
      // Each queue's count reads the queue from the claim index itself, never from the jobs' rows.
      assert.match(plan(statements.scheduledByQueue.source, [{ now: 'x', cap: 1 }]), /SEARCH j USING COVERING INDEX idx_tb_job_run_claim \(status=\? AND priority=\? AND run_at>\?\)/);
      // Each state reads its own partial index (migration 0003), never the whole table.
      assert.match(plan(statements.expired.source, ['x', '[]', null, null]), /^SEARCH j USING INDEX idx_tb_job_run_running/);
      assert.match(plan(statements.expired.source, ['x', '[]', 'w', 'w']), /^SEARCH j USING INDEX idx_tb_job_run_running/);
      assert.match(plan(statements.cancelRequested.source, ['w']), /^SEARCH tb_job_run USING INDEX idx_tb_job_run_running/);
      assert.doesNotMatch(plan(statements.counts.source, []), /tb_job_run/);
      assert.match(plan(statements.purgeCount.source, ['x']), /idx_tb_job_run_failed/);
      // Who asked a job or its run to stop: a seek to the action's newest row about that target (0024).
      assert.match(plan(statements.lastCancel.source, ['job.cancel', '7']), /^SEARCH tb_audit_log USING INDEX idx_tb_audit_log_action_target \(action=\? AND target=\?\)$/);
      assert.match(plan(statements.lastRunCancel.source, ['workflow.cancel', 7]), /SEARCH tb_audit_log USING INDEX idx_tb_audit_log_action_target \(action=\? AND target=\?\)/);
    } finally {
      raw.close();
      await cleanup();
    }
  });

  test('a count a hand edit made wrong is named by checkCounts, and repair puts it right', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      await store.enqueue([{ queue: 'q', service_name: 'svc', execution_type: 'noop', max_attempts: 1 }]);
      const raw = new Database(path);
      raw.prepare(`UPDATE tb_job_run SET status = 'completed'`).run();
      raw.close();
      const expected = [
        { queue: 'q', service_name: 'svc', execution_type: 'noop', state: 'completed', fingerprint: '', kept: 0, actual: 1 },
        { queue: 'q', service_name: 'svc', execution_type: 'noop', state: 'pending', fingerprint: '', kept: 1, actual: 0 },
      ];
      assert.deepEqual(await store.checkCounts(false), expected);
      assert.deepEqual(await store.checkCounts(true), expected);
      assert.deepEqual(await store.checkCounts(false), []);
      assert.deepEqual(await store.countsByQueueAndStatus(), [{ queue: 'q', status: 'completed', count: 1 }]);
    } finally {
      await cleanup();
    }
  });

  test('space freed by pruning goes back to the file system a little at a time', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      const payload = { blob: 'x'.repeat(4000) };
      await store.enqueue(Array.from({ length: 3000 }, () => ({ queue: 'q', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1, payload })));
      for (;;) {
        const claimed = await store.claim({ workerId: 'w', limit: 500, leaseMs: 60_000 });
        if (claimed.length === 0) break;
        await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'completed' as const })));
      }
      const cutoff = new Date(Date.now() + 3_600_000);
      let after = 0;
      for (;;) {
        const batch = await store.pruneBatch({ completed: cutoff, cancelled: cutoff, deadLetters: cutoff, history: cutoff }, after, 500);
        after = batch.lastId;
        if (batch.done) break;
      }
      const sizeOf = () => statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
      const first = await store.reclaimSpace(1 << 20);
      assert.ok(first.freedBytes > 0 && first.freedBytes <= (1 << 20) + 16_384, `gave back ${first.freedBytes} bytes, at most about 1 MiB at once`);
      assert.ok(first.freeBytes > 1 << 20, 'the rest waits for later calls');
      let left = first.freeBytes;
      while (left > 0) left = (await store.reclaimSpace(8 << 20)).freeBytes;
      const raw = new Database(path);
      raw.pragma('wal_checkpoint(TRUNCATE)');
      const pages = Number(raw.pragma('page_count', { simple: true }));
      raw.close();
      assert.ok(pages * 16_384 < 2 << 20, `the file shrank to ${pages} pages`);
      assert.ok(sizeOf() < 4 << 20);
    } finally {
      await cleanup();
    }
  });

  test("a summed hour whose sample minute an earlier version's prune took still answers, with an empty sample", async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      await deadLetter(store, 'api', err('HTTP 503'));
      while (!(await store.sumRollupHours(new Date(Date.now() + 2 * 3_600_000), 48)).done);
      // What a prune before this version left: the hour summed, the minute its sample is read from gone.
      const raw = new Database(path);
      raw.prepare(`DELETE FROM tb_failure_rollup`).run();
      raw.close();
      const { groups, total } = await store.recentFailures(new Date(Date.now() - 86_400_000), null, 10);
      assert.equal(total, 1);
      assert.deepEqual(groups.map((g) => [g.service_name, g.failures, g.sample_error]), [['api', 1, null]]);
    } finally {
      await cleanup();
    }
  });

  test("the dry run's space shares the file out over the jobs kept, after earlier prunes too", async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    const cutoff = new Date(Date.now() + 3_600_000);
    const cutoffs = { completed: cutoff, cancelled: cutoff, deadLetters: cutoff, history: cutoff };
    const completeAll = async () => {
      const payload = { blob: 'x'.repeat(2000) };
      await store.enqueue(Array.from({ length: 1000 }, () => ({ queue: 'q', service_name: 'svc', execution_type: 'noop' as const, max_attempts: 1, payload })));
      for (;;) {
        const claimed = await store.claim({ workerId: 'w', limit: 500, leaseMs: 60_000 });
        if (claimed.length === 0) return;
        await store.settle(claimed.map((c) => ({ jobId: c.id, attemptId: c.attempt_id, workerId: 'w', kind: 'completed' as const })));
      }
    };
    try {
      await completeAll();
      for (let after = 0, done = false; !done; ) ({ lastId: after, done } = await store.pruneBatch(cutoffs, after, 500));
      await completeAll();
      const raw = new Database(path, { readonly: true });
      const used = (Number(raw.pragma('page_count', { simple: true })) - Number(raw.pragma('freelist_count', { simple: true }))) * Number(raw.pragma('page_size', { simple: true }));
      raw.close();
      const estimate = await store.pruneEstimate(cutoffs);
      assert.equal(estimate.completed, 1000, 'every job the file now holds');
      assert.ok(estimate.bytes > used * 0.75 && estimate.bytes <= used, `about the ${used} bytes in use, not ${estimate.bytes}`);
    } finally {
      await cleanup();
    }
  });

  test('a database file deleted or replaced under an open store is named on every call, not worked on in silence', async () => {
    const deleted = await createSqliteTestStore();
    const replaced = await createSqliteTestStore();
    try {
      await deleted.store.enqueue([{ queue: 'q', service_name: 'svc', execution_type: 'noop', max_attempts: 1 }]);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${deleted.path}${suffix}`, { force: true });
      copyFileSync(replaced.path, `${replaced.path}.other`);
      renameSync(`${replaced.path}.other`, replaced.path);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await assert.rejects(deleted.store.countsByQueueAndStatus(), /the database file .* was deleted while this process had it open; .*restart it/);
      await assert.rejects(deleted.store.enqueue([{ queue: 'q', service_name: 'svc', execution_type: 'noop', max_attempts: 1 }]), /was deleted/);
      await assert.rejects(replaced.store.countsByQueueAndStatus(), /was replaced by another file/);
    } finally {
      await deleted.cleanup();
      await replaced.cleanup();
    }
  });

  test("the runbooks' SQL runs verbatim against the file", async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      const claimAndSettle = async (type: 'http' | 'shell', fail: boolean) => {
        const [r] = await store.enqueue([{ queue: `q-${type}-${fail}`, service_name: `${type}_svc`, execution_type: type, max_attempts: 1 }]);
        assert.ok(r);
        const [c] = await store.claim({ workerId: 'w', limit: 1, leaseMs: 60_000, queues: [`q-${type}-${fail}`] });
        assert.ok(c);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const base = { jobId: c.id, attemptId: c.attempt_id, workerId: 'w' };
        await store.settle([
          fail
            ? { ...base, kind: 'failed', error: { message: 'HTTP 503 from upstream', error_class: 'HttpError', fingerprint: 'fp-503' }, outcome: 'failed' }
            : { ...base, kind: 'completed' },
        ]);
      };
      for (let i = 0; i < 3; i++) await claimAndSettle('http', false);
      await claimAndSettle('http', true);
      await claimAndSettle('shell', false);
      await store.enqueue([{ queue: 'default', service_name: 'pending_svc', execution_type: 'noop', max_attempts: 1 }]);

      const raw = new Database(path);
      try {
        const perf = raw.prepare(`SELECT * FROM v_execution_performance_by_type WHERE execution_type = 'http'`).get();
        assert.ok(perf && typeof perf === 'object');
        assert.deepEqual(Object.keys(perf), ['execution_type', 'total', 'completed', 'failed', 'success_rate', 'avg_duration_ms', 'p95_duration_ms']);
        assert.equal(Reflect.get(perf, 'total'), 4);
        assert.equal(Reflect.get(perf, 'completed'), 3);
        assert.equal(Reflect.get(perf, 'failed'), 1);
        assert.equal(Reflect.get(perf, 'success_rate'), 0.75);
        const avg = Number(Reflect.get(perf, 'avg_duration_ms'));
        const p95 = Number(Reflect.get(perf, 'p95_duration_ms'));
        const durations = raw
          .prepare(`SELECT (julianday(completed_at) - julianday(started_at)) * 86400000.0 FROM tb_job_run WHERE execution_type = 'http' AND status = 'completed' ORDER BY 1`)
          .pluck()
          .all()
          .map(Number);
        assert.equal(durations.length, 3);
        const [, second = 0, third = 0] = durations;
        assert.ok(Math.abs(avg - durations.reduce((a, b) => a + b, 0) / 3) < 0.01);
        assert.ok(Math.abs(p95 - (second + (third - second) * 0.9)) < 0.01, 'p95 interpolates like percentile_cont');
        const types = raw.prepare(`SELECT execution_type FROM v_execution_performance_by_type ORDER BY execution_type`).pluck().all();
        assert.deepEqual(types, ['http', 'noop', 'shell']);

        const dlq = raw.prepare(`SELECT id, task_id, failure_reason, created_at FROM dead_letter_queue ORDER BY created_at DESC LIMIT 10`).all();
        assert.equal(dlq.length, 1);
        assert.equal(Reflect.get(dlq[0] ?? {}, 'failure_reason'), 'HTTP 503 from upstream');
        const grouped = raw.prepare(`SELECT failure_reason, COUNT(*) AS n FROM dead_letter_queue GROUP BY failure_reason ORDER BY COUNT(*) DESC`).all();
        assert.deepEqual(grouped, [{ failure_reason: 'HTTP 503 from upstream', n: 1 }]);
        const open = raw.prepare(`SELECT status, resolved_at, resolution FROM dead_letter_queue WHERE status = 'pending'`).all();
        assert.deepEqual(open, [{ status: 'pending', resolved_at: null, resolution: null }]);

        const pending = raw
          .prepare(`SELECT identifier, service_name, execution_type, created_at, error_message FROM tb_job_run WHERE status = 'pending' ORDER BY created_at DESC LIMIT 10`)
          .all();
        assert.equal(pending.length, 1);
        const usage = raw.prepare(`SELECT identifier, resource_usage FROM tb_job_run WHERE status = 'failed' AND error_message LIKE '%503%' ORDER BY created_at DESC`).all();
        assert.equal(usage.length, 1);
        raw.exec('ANALYZE tb_job_run; REINDEX idx_tb_job_run_execution_type;');
        assert.equal(raw.prepare(`SELECT count(*) FROM tb_job_run`).pluck().get(), 6);
      } finally {
        raw.close();
      }
    } finally {
      await cleanup();
    }
  });

  test('separate processes claiming from one file never get the same job', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      const total = 300;
      const created = await store.enqueue(Array.from({ length: total }, (_, i) => ({ queue: 'default', service_name: `s${i % 5}`, execution_type: 'noop' as const, max_attempts: 3 })));
      const claimer = fileURLToPath(new URL('../testing/sqliteClaimer.ts', import.meta.url));
      const outputs = await Promise.all(
        ['a', 'b', 'c'].map(
          (worker, i) =>
            new Promise<number[]>((resolve, reject) => {
              execFile(process.execPath, [claimer, path, `proc-${worker}`, String(4 + i * 3)], { timeout: 30_000 }, (error, stdout, stderr) => {
                if (error) reject(new Error(`${worker}: ${error.message} ${stderr}`));
                else resolve(z.array(z.number()).parse(JSON.parse(stdout)));
              });
            }),
        ),
      );
      const all = outputs.flat();
      assert.equal(new Set(all).size, all.length, 'no job was completed by two processes');
      assert.deepEqual([...all].sort((x, y) => x - y), created.map((c) => c.id).sort((x, y) => x - y));
      assert.equal(await store.countJobs({ status: ['completed'] }), total);
      const attempts = await store.listAttempts(created[0]?.id ?? 0);
      assert.equal(attempts.length, 1);
    } finally {
      await cleanup();
    }
  });

  test('another process engaging the emergency stop is heard through the poll', async () => {
    const { store, path, cleanup } = await createSqliteTestStore();
    try {
      const heard = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        const off = store.subscribe((signal) => {
          if (signal !== 'control') return;
          clearTimeout(timer);
          off();
          resolve(true);
        });
      });
      const script = `import { openStore } from ${JSON.stringify(new URL('../open.ts', import.meta.url).href)};
        const s = await openStore(${JSON.stringify(path)});
        await s.setEmergencyStop(true, { user: 'ops', host: 'cli' }, 'from another process');
        await s.close();`;
      await new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (error, _out, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve()));
      });
      assert.equal(await heard, true);
      const control = await store.getControl();
      assert.equal(control.emergency_stop.engaged, true);
      assert.equal(control.emergency_stop.by, 'ops@cli');
    } finally {
      await cleanup();
    }
  });
});
