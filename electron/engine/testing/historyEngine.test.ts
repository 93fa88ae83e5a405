import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../../store/open.ts';
import type { Store } from '../../store/store.ts';
import { historyFailures } from '../../store/testing/history/failures.ts';
import type { HistoryFailure } from '../../store/testing/history/failures.ts';
import { fillPostgresHistory } from '../../store/testing/history/postgres.ts';
import { SERVICES, serviceName } from '../../store/testing/history/shape.ts';
import { fillSqliteHistory } from '../../store/testing/history/sqlite.ts';
import { createTestDatabase } from '../../store/testing/pgTestDb.ts';
import { createSqliteTestStore } from '../../store/testing/sqliteTestDb.ts';
import { fingerprint } from '../fingerprint.ts';
import { HISTORY_ENGINE } from './historyEngine.ts';

/**
 * The history the console's benchmark and some tests fill, read back from each store as the console would
 * find it: its failures are the engine's (a fingerprint is one service's, computed from the texts the jobs
 * carry, in the classes their runners name), only a job that failed an attempt carries an error, the
 * rollups count the retries the failure rollups count, and the running jobs' worker is registered.
 */

const JOBS = 6000;

interface Troubled {
  id: number;
  service: string;
  type: string;
  status: string;
  attempts: number;
  error: string | null;
  fingerprint: string | null;
}

interface FailedAttempt {
  job: number;
  attempt: number;
  error: string;
  errorClass: string;
}

/** What the rollups say, per minute and service: retries the job rollups count, and failures less dead letters. */
type PerMinute = Map<string, number>;

/** One store's history read with its own SQL: the yardstick, not the code under test. */
interface Filled {
  store: Store;
  /** Every job that carries an error or ran more than one attempt. */
  troubled(): Promise<Troubled[]>;
  failedAttempts(): Promise<FailedAttempt[]>;
  /** Per attempt of a job, in order: when it started and ended (unix ms), the last one's end null while it runs. */
  attemptTimes(job: number): Promise<Array<{ started: number; finished: number | null }>>;
  retriedRollup(): Promise<PerMinute>;
  retriedFailures(): Promise<PerMinute>;
  runningOwners(): Promise<string[]>;
  close(): Promise<void>;
}

const key = (minute: unknown, service: unknown) => `${String(minute)} ${String(service)}`;

function perMinute(rows: Array<Record<string, unknown>>): PerMinute {
  const out: PerMinute = new Map();
  for (const row of rows) if (Number(row.n) !== 0) out.set(key(row.m, row.s), Number(row.n));
  return out;
}

function troubledOf(rows: Array<Record<string, unknown>>): Troubled[] {
  return rows.map((row) => ({
    id: Number(row.id),
    service: String(row.service_name),
    type: String(row.execution_type),
    status: String(row.status),
    attempts: Number(row.attempts),
    error: row.error_message === null ? null : String(row.error_message),
    fingerprint: row.error_fingerprint === null ? null : String(row.error_fingerprint),
  }));
}

function attemptsOf(rows: Array<Record<string, unknown>>): FailedAttempt[] {
  return rows.map((row) => ({ job: Number(row.job_id), attempt: Number(row.attempt), error: String(row.error_message), errorClass: String(row.error_class) }));
}

const TROUBLED = `SELECT id, service_name, execution_type, status, attempts, error_message, error_fingerprint FROM %jobs%
  WHERE error_message IS NOT NULL OR error_fingerprint IS NOT NULL OR attempts > 1 ORDER BY id`;
const FAILED_ATTEMPTS = `SELECT job_id, attempt, error_message, error_class FROM %attempts% WHERE outcome = 'failed' OR error_class IS NOT NULL OR error_message IS NOT NULL`;

async function sqliteFilled(nowMs: number): Promise<Filled> {
  const made = await createSqliteTestStore();
  await made.store.close();
  fillSqliteHistory(made.path, { jobs: JOBS, nowMs, engine: HISTORY_ENGINE });
  const store = await openStore(made.path);
  await store.checkCounts(true);
  const raw = new Database(made.path, { readonly: true });
  const rows = (sql: string, ...args: unknown[]): Array<Record<string, unknown>> => raw.prepare<unknown[], Record<string, unknown>>(sql).all(...args);
  const ms = (text: unknown) => (text === null ? null : Date.parse(String(text)));
  return {
    store,
    troubled: async () => troubledOf(rows(TROUBLED.replace('%jobs%', 'tb_job_run'))),
    failedAttempts: async () => attemptsOf(rows(FAILED_ATTEMPTS.replace('%attempts%', 'tb_job_attempt'))),
    attemptTimes: async (job) =>
      rows(`SELECT started_at, finished_at FROM tb_job_attempt WHERE job_id = ? ORDER BY attempt`, job).map((row) => ({ started: Number(ms(row.started_at)), finished: ms(row.finished_at) })),
    retriedRollup: async () => perMinute(rows(`SELECT minute AS m, service_name AS s, sum(retried) AS n FROM tb_job_rollup GROUP BY 1, 2`)),
    retriedFailures: async () => perMinute(rows(`SELECT minute AS m, service_name AS s, sum(failures - dead_lettered) AS n FROM tb_failure_rollup GROUP BY 1, 2`)),
    runningOwners: async () => rows(`SELECT DISTINCT lease_owner AS o FROM tb_job_run WHERE status = 'running'`).map((row) => String(row.o)),
    async close() {
      raw.close();
      await store.close();
      await made.cleanup();
    },
  };
}

async function postgresFilled(nowMs: number): Promise<Filled> {
  const db = await createTestDatabase({ migrated: true });
  await fillPostgresHistory(db.url, { jobs: JOBS, nowMs, engine: HISTORY_ENGINE });
  const store = await openStore(db.url);
  await store.checkCounts(true);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const rows = async (sql: string, args: unknown[] = []): Promise<Array<Record<string, unknown>>> => (await client.query<Record<string, unknown>>(sql, args)).rows;
  const ms = (value: unknown) => (value instanceof Date ? value.getTime() : null);
  return {
    store,
    troubled: async () => troubledOf(await rows(TROUBLED.replace('%jobs%', 'jobs.tb_job_run'))),
    failedAttempts: async () => attemptsOf(await rows(FAILED_ATTEMPTS.replace('%attempts%', 'jobs.tb_job_attempt'))),
    // The attempt in progress is the running job's own row (migration 0004).
    attemptTimes: async (job) =>
      (
        await rows(
          `SELECT started_at, finished_at FROM jobs.tb_job_attempt WHERE job_id = $1
           UNION ALL SELECT started_at, NULL FROM jobs.tb_job_run WHERE id = $1 AND status = 'running' ORDER BY 1`,
          [job],
        )
      ).map((row) => ({ started: Number(ms(row.started_at)), finished: ms(row.finished_at) })),
    retriedRollup: async () => perMinute(await rows(`SELECT extract(epoch FROM minute) AS m, service_name AS s, sum(retried) AS n FROM jobs.tb_job_rollup GROUP BY 1, 2`)),
    retriedFailures: async () =>
      perMinute(await rows(`SELECT extract(epoch FROM minute) AS m, service_name AS s, sum(failures - dead_lettered) AS n FROM jobs.tb_failure_rollup GROUP BY 1, 2`)),
    runningOwners: async () => (await rows(`SELECT DISTINCT lease_owner AS o FROM jobs.tb_job_run WHERE status = 'running'`)).map((row) => String(row.o)),
    async close() {
      await client.end();
      await store.close();
      await db.drop();
    },
  };
}

function byFingerprint(failures: HistoryFailure[]): Map<string, HistoryFailure> {
  return new Map(failures.map((f) => [f.fingerprint, f]));
}

for (const [dialect, fill] of [['sqlite', sqliteFilled], ['postgres', postgresFilled]] as const) {
  describe(`a filled history on ${dialect}`, () => {
    it("fails each service in ways of its own, each job's text its own, every fingerprint the engine's for the job's text and class", async () => {
      const filled = await fill(Date.now());
      try {
        const ways = byFingerprint(historyFailures(HISTORY_ENGINE));
        const troubled = await filled.troubled();
        const jobs = new Map(troubled.map((job) => [job.id, job]));
        const services = new Map<string, Set<string>>();
        const jobsOf = new Map<string, Set<number>>();
        const texts = new Map<string, Set<string>>();
        const failedAttempts = await filled.failedAttempts();
        assert.ok(failedAttempts.length > 300, `a history of ${JOBS} jobs has failures to read: ${failedAttempts.length}`);
        for (const attempt of failedAttempts) {
          const job = jobs.get(attempt.job);
          assert.ok(job?.fingerprint, `job ${attempt.job}, which failed attempt ${attempt.attempt}, carries its error and fingerprint`);
          assert.equal(attempt.error, job.error, `job ${job.id}'s failed attempts carry its error`);
          assert.equal(fingerprint(attempt.error, job.service, attempt.errorClass), job.fingerprint, `job ${job.id}: ${attempt.error}`);
          const way = ways.get(job.fingerprint);
          assert.ok(way, `job ${job.id}'s fingerprint is one of the history's ways of failing`);
          assert.equal(way.service, job.service, `${job.fingerprint} is ${way.service}'s, not ${job.service}'s`);
          assert.equal(way.errorClass, attempt.errorClass);
          services.set(job.fingerprint, (services.get(job.fingerprint) ?? new Set()).add(job.service));
          jobsOf.set(job.fingerprint, (jobsOf.get(job.fingerprint) ?? new Set()).add(job.id));
          texts.set(job.fingerprint, (texts.get(job.fingerprint) ?? new Set()).add(attempt.error));
        }
        for (const [print, named] of services) assert.deepEqual([...named], [ways.get(print)?.service], `${print} belongs to one service`);
        assert.ok(services.size >= 45 && services.size <= 60, `about 50 fingerprints in all: ${services.size}`);
        // Where the runner's words name the job (an order, a file, a customer), each job's text is its own.
        let varying = 0;
        for (const [print, seen] of texts) {
          const message = ways.get(print)?.message ?? '';
          const carriers = jobsOf.get(print)?.size ?? 0;
          if (message.includes('{job}')) assert.equal(seen.size, carriers, `${message}: a text per job`);
          else if (/\{(n|ip)\}/.test(message) && carriers > 1) assert.ok(seen.size > 1, `${message}: ${seen.size} texts`);
          if (/\{(job|n|ip)\}/.test(message)) varying += 1;
        }
        assert.ok(varying * 3 > services.size * 2, `most ways of failing vary from job to job: ${varying} of ${services.size}`);

        // Each type in its runner's words.
        const classesOf = new Map<string, Set<string>>();
        for (const job of troubled) {
          const way = job.fingerprint === null ? undefined : ways.get(job.fingerprint);
          if (way) classesOf.set(job.type, (classesOf.get(job.type) ?? new Set()).add(way.errorClass));
        }
        assert.deepEqual([...(classesOf.get('http') ?? [])].sort(), ['connection', 'http_503', 'http_504']);
        assert.deepEqual([...(classesOf.get('shell') ?? [])].sort(), ['exit_code', 'resource_limit']);
        assert.deepEqual([...(classesOf.get('docker') ?? [])].sort(), ['exit_code', 'resource_limit']);
        assert.deepEqual([...(classesOf.get('serverless') ?? [])].sort(), ['function_crash', 'function_error', 'throttled']);

        // A search for one job's own part of a text finds that job alone.
        const keyError = troubled.find((job) => job.error?.includes('KeyError'));
        assert.ok(keyError);
        const found = await filled.store.listJobs({ search: `customer_${keyError.id}'` }, { limit: 10 });
        assert.deepEqual(found.items.map((job) => job.id), [keyError.id]);
      } finally {
        await filled.close();
      }
    });

    it('gives an error only to a job that failed an attempt: a dead letter every attempt of its way, a job completed after a retry its earlier one', async () => {
      const filled = await fill(Date.now());
      try {
        const ways = byFingerprint(historyFailures(HISTORY_ENGINE));
        const failedJobs = new Set((await filled.failedAttempts()).map((attempt) => attempt.job));
        let completedAfterRetry = 0;
        for (const job of await filled.troubled()) {
          assert.equal(job.error !== null, failedJobs.has(job.id), `job ${job.id} (${job.status}, ${job.attempts} attempts) carries an error only after a failed attempt: ${job.error}`);
          if (job.fingerprint === null) continue;
          const way = ways.get(job.fingerprint);
          assert.ok(way);
          if (job.status === 'failed') assert.equal(job.attempts, way.retryable ? 3 : 1, `dead letter ${job.id}: ${way.message}`);
          if (job.status === 'completed') {
            completedAfterRetry += 1;
            assert.ok(way.retryable, `job ${job.id} was retried after ${way.message}, which the engine does not retry`);
            assert.equal(job.attempts, 2);
          }
          assert.ok(['failed', 'completed'].includes(job.status), `job ${job.id} is ${job.status} with an error`);
        }
        assert.ok(completedAfterRetry > 100, `jobs completed after a retry: ${completedAfterRetry}`);

        // A retry starts after the attempt before it ended.
        const retried = (await filled.troubled()).find((job) => job.attempts === 3);
        assert.ok(retried);
        const times = await filled.attemptTimes(retried.id);
        assert.equal(times.length, 3);
        for (let n = 1; n < times.length; n++) {
          const before = times[n - 1]?.finished;
          assert.ok(before !== null && before !== undefined && before < Number(times[n]?.started), `attempt ${n + 1} of job ${retried.id} starts after attempt ${n} ended`);
        }
      } finally {
        await filled.close();
      }
    });

    it('counts in the rollups, minute by minute, each retry the failure rollups count', async () => {
      const filled = await fill(Date.now());
      try {
        const attemptsOfJob = new Map((await filled.troubled()).map((job) => [job.id, job.attempts]));
        // A failed attempt with another after it: the job went back to pending, retried.
        const retriedAttempts = (await filled.failedAttempts()).filter((attempt) => attempt.attempt < (attemptsOfJob.get(attempt.job) ?? 0));
        const retried = await filled.retriedRollup();
        const total = [...retried.values()].reduce((sum, n) => sum + n, 0);
        assert.ok(retriedAttempts.length > 100, `the history retries jobs: ${retriedAttempts.length}`);
        assert.equal(total, retriedAttempts.length, 'the Performance page counts every retry');
        assert.deepEqual(retried, await filled.retriedFailures(), "the Overview's recent failures count the same retries in the same minutes");
      } finally {
        await filled.close();
      }
    });

    it("leases the running jobs to a worker registered as a worker registers, alive at the history's end and running them", async () => {
      const nowMs = Date.now();
      const filled = await fill(nowMs);
      try {
        const owners = await filled.runningOwners();
        assert.equal(owners.length, 1);
        // Lost as the console says it (no heartbeat for 10 s), as of the history's end.
        const workers = await filled.store.listWorkers(Date.now() - nowMs + 10_000);
        assert.deepEqual(workers.map((w) => w.id), owners);
        const [worker] = workers;
        assert.ok(worker);
        assert.equal(worker.state, 'running');
        assert.equal(worker.lost, false);
        assert.equal(worker.last_heartbeat_at, new Date(nowMs).toISOString());
        assert.equal(worker.in_flight, worker.concurrency, 'full: the pending jobs wait for room on it');
        assert.deepEqual(worker.services, Array.from({ length: SERVICES }, (_, s) => serviceName(s)));
        assert.ok(worker.registry, 'the registry it runs, as a worker of this version says');
        assert.deepEqual(worker.cannot_run?.services, [], 'its last look found nothing it cannot run');
        const running = await filled.store.listJobs({ status: ['running'] }, { limit: 1000 });
        assert.equal(running.items.length, worker.in_flight);
      } finally {
        await filled.close();
      }
    });
  });
}
