import Database from 'better-sqlite3';
import { failurePicks, historyFailures, PICKS } from './failures.ts';
import { DAYS, QUEUES, RETRY_AFTER_S, SERVICES, firstBurst, firstPending, firstRunning, historyWorker } from './shape.ts';
import type { HistoryParams } from './shape.ts';

/**
 * Writes a realistic history (shape.ts) into a migrated, empty SQLite store with bulk SQL: a million jobs
 * in well under a minute, where enqueueing and running them would take hours. What the store keeps beside
 * the jobs (the per-minute rollups and failure rollups, the worker's row; the counts are rebuilt by the
 * caller with checkCounts(true)) is written from the jobs and their attempts as the settles would have.
 */
export function fillSqliteHistory(path: string, p: HistoryParams): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    // Whole numbers as BigInt, so SQLite binds them as integers: its % and JSON paths want integers.
    const values = {
      n: BigInt(p.jobs),
      burst: BigInt(firstBurst(p)),
      running: BigInt(firstRunning(p)),
      pending: BigInt(firstPending(p)),
      now: p.nowMs / 1000,
      span: BigInt(DAYS * 86_400),
      services: BigInt(SERVICES),
      picks: BigInt(PICKS),
      retryAfter: RETRY_AFTER_S,
      queues: JSON.stringify(QUEUES),
    };
    const failures = historyFailures(p.engine);
    db.transaction(() => {
      for (const sql of FAILURE_TABLES) db.exec(sql);
      const failure = db.prepare(`INSERT INTO temp.hist_failure (fingerprint, error_class, retryable, message) VALUES (?, ?, ?, ?)`);
      for (const f of failures) failure.run(f.fingerprint, f.errorClass, f.retryable ? 1 : 0, f.message);
      const pick = db.prepare(`INSERT INTO temp.hist_pick (svc, trouble, pick, fingerprint) VALUES (?, ?, ?, ?)`);
      for (const f of failurePicks(failures)) pick.run(f.svc, f.trouble, f.pick, f.fingerprint);
      db.prepare(JOBS_SQL).run(values);
      db.prepare(ATTEMPTS_SQL).run({ retryAfter: RETRY_AFTER_S });
      db.prepare(ROLLUPS_SQL).run();
      db.prepare(LATENCY_SQL).run();
      db.prepare(FAILURES_SQL).run();
      const w = historyWorker(p);
      db.prepare(WORKER_SQL).run({ ...w, services: JSON.stringify(w.services) });
      db.exec(`DROP TABLE temp.hist_pick; DROP TABLE temp.hist_failure`);
    })();
  } finally {
    db.close();
  }
}

const ISO = `'%Y-%m-%dT%H:%M:%fZ'`;

/** The ways of failing (failures.ts), and which of them a troubled job of each service picks. */
const FAILURE_TABLES = [
  `CREATE TEMP TABLE hist_failure (fingerprint TEXT PRIMARY KEY, error_class TEXT NOT NULL, retryable INTEGER NOT NULL, message TEXT NOT NULL) WITHOUT ROWID`,
  `CREATE TEMP TABLE hist_pick (svc INTEGER, trouble TEXT, pick INTEGER, fingerprint TEXT NOT NULL, PRIMARY KEY (svc, trouble, pick)) WITHOUT ROWID`,
];

/**
 * A dead letter failed every attempt of a way worth another try, or its one attempt of a way that is not;
 * a job that failed once and then completed keeps that failure's error and fingerprint, as the settle of
 * its completion leaves them. The job's start is its last attempt's, the ones before it RETRY_AFTER_S apart.
 */
const JOBS_SQL = `
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < @n),
base AS (
  SELECT i, (i * 7919) % 1000 AS r, ((i * 2654435761) % 1000003) % @services AS svc,
    CASE WHEN i < @burst THEN @now - @span + (i - 1) * ((@span - 3600.0) / max(1, @burst - 1))
         ELSE @now - 3600 + (i - @burst) * (3600.0 / max(1, @n - @burst + 1)) END AS created
  FROM seq
),
shaped AS (
  SELECT i, r, svc, created,
    CASE WHEN i >= @pending THEN 'pending' WHEN i >= @running THEN 'running'
         WHEN r < 80 THEN 'failed' WHEN r < 100 THEN 'cancelled' ELSE 'completed' END AS status,
    CASE WHEN i < @running AND r < 80 THEN 'failed' WHEN i < @running AND r BETWEEN 100 AND 149 THEN 'retried' END AS trouble,
    CASE svc % 5 WHEN 0 THEN 'http' WHEN 1 THEN 'shell' WHEN 2 THEN 'docker' WHEN 3 THEN 'serverless' ELSE 'noop' END AS type
  FROM base
),
troubled AS (
  SELECT s.*, f.fingerprint, f.message,
    CASE s.status WHEN 'failed' THEN CASE WHEN f.retryable THEN 3 ELSE 1 END WHEN 'cancelled' THEN 0 WHEN 'pending' THEN 0 WHEN 'running' THEN 1
                  ELSE CASE WHEN s.trouble = 'retried' THEN 2 ELSE 1 END END AS attempts,
    (CASE s.type WHEN 'http' THEN 120 WHEN 'shell' THEN 900 WHEN 'docker' THEN 4000 WHEN 'serverless' THEN 300 ELSE 5 END)
      * (0.5 + ((s.i * 13) % 100) / 100.0) / 1000.0 AS duration_s
  FROM shaped s
  LEFT JOIN temp.hist_pick k ON k.svc = s.svc AND k.trouble = s.trouble AND k.pick = (s.i / 7) % @picks
  LEFT JOIN temp.hist_failure f ON f.fingerprint = k.fingerprint
),
timed AS (
  SELECT *, created + 0.05 + max(attempts - 1, 0) * (duration_s + @retryAfter) AS last_start FROM troubled
)
INSERT INTO tb_job_run (id, identifier, queue, service_name, execution_type, payload, status, priority, attempts, max_attempts,
  run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at, updated_at, error_message, error_fingerprint,
  resource_usage, resolved_at, resolution)
SELECT i, 'hist-' || i, json_extract(@queues, '$[' || (svc % json_array_length(@queues)) || ']'), printf('svc_%02d', svc), type,
  json_object('order', i, 'region', 'eu-' || (r % 3)), status, (r % 3) - 1, attempts, 3,
  strftime(${ISO}, CASE WHEN status = 'pending' AND r % 10 = 0 THEN @now + 60 + r * 60 ELSE created END, 'unixepoch'),
  CASE WHEN status = 'running' THEN 'bench-worker' END,
  CASE WHEN status = 'running' THEN strftime(${ISO}, @now + 20, 'unixepoch') END,
  strftime(${ISO}, created, 'unixepoch'),
  CASE WHEN status IN ('completed', 'failed', 'running') THEN strftime(${ISO}, last_start, 'unixepoch') END,
  CASE WHEN status IN ('completed', 'failed') THEN strftime(${ISO}, last_start + duration_s, 'unixepoch')
       WHEN status = 'cancelled' THEN strftime(${ISO}, created + 30, 'unixepoch') END,
  strftime(${ISO}, last_start + duration_s, 'unixepoch'),
  replace(replace(replace(message, '{job}', i), '{n}', 10 + i % 90), '{ip}', '10.' || svc || '.' || (i / 250 % 250) || '.' || (1 + i % 250)),
  fingerprint,
  CASE WHEN status IN ('completed', 'failed') THEN json_object('duration_ms', round(duration_s * 1000), 'exit_code', 0) END,
  CASE WHEN status = 'failed' AND created < @now - 2 * 86400 AND i % 3 <> 0 THEN strftime(${ISO}, created + 3600, 'unixepoch') END,
  CASE WHEN status = 'failed' AND created < @now - 2 * 86400 AND i % 3 <> 0 THEN 'known issue, fixed upstream' END
FROM timed`;

/**
 * Every attempt of the finished and running jobs: earlier ones failed, the last one as the job ended. Each
 * ran as long as the last, and the one after it started RETRY_AFTER_S after it ended.
 */
const ATTEMPTS_SQL = `
INSERT INTO tb_job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class, output_tail)
SELECT j.id, a.n, 'bench-worker',
  CASE WHEN a.n = j.attempts THEN j.started_at
       ELSE strftime(${ISO}, j.last_start - (j.attempts - a.n) * (j.took + @retryAfter), 'unixepoch') END,
  CASE WHEN j.status = 'running' AND a.n = j.attempts THEN NULL WHEN a.n = j.attempts THEN j.completed_at
       ELSE strftime(${ISO}, j.last_start - (j.attempts - a.n) * (j.took + @retryAfter) + j.took, 'unixepoch') END,
  CASE WHEN j.status = 'running' AND a.n = j.attempts THEN 'running'
       WHEN a.n < j.attempts OR j.status = 'failed' THEN 'failed' ELSE 'completed' END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN j.error_message END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN f.error_class END,
  CASE WHEN j.status = 'completed' AND a.n = j.attempts THEN 'done' END
FROM (
  SELECT id, status, attempts, started_at, completed_at, error_message, error_fingerprint, unixepoch(started_at, 'subsec') AS last_start,
    coalesce(unixepoch(completed_at, 'subsec') - unixepoch(started_at, 'subsec'), 0) AS took
  FROM tb_job_run WHERE status IN ('completed', 'failed', 'running')
) j
JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) a ON a.n <= j.attempts
LEFT JOIN temp.hist_failure f ON f.fingerprint = j.error_fingerprint`;

/**
 * As the settles count them: each finished job in the minute it finished, and each failed attempt the job
 * was retried after in the minute that attempt ended.
 */
const ROLLUPS_SQL = `
INSERT INTO tb_job_rollup (minute, queue, service_name, execution_type, completed, failed, retried, cancelled, duration_ms)
SELECT minute, queue, service_name, execution_type, sum(completed), sum(failed), sum(retried), sum(cancelled), sum(duration_ms)
FROM (
  SELECT CAST(unixepoch(completed_at) / 60 AS INTEGER) * 60 AS minute, queue, service_name, execution_type,
    status = 'completed' AS completed, status = 'failed' AS failed, 0 AS retried, status = 'cancelled' AS cancelled,
    CASE WHEN status = 'completed' AND started_at IS NOT NULL
         THEN max(0, CAST(round((julianday(completed_at) - julianday(started_at)) * 86400000.0) AS INTEGER)) ELSE 0 END AS duration_ms
  FROM tb_job_run
  WHERE completed_at IS NOT NULL AND status IN ('completed', 'failed', 'cancelled')
  UNION ALL
  SELECT CAST(unixepoch(a.finished_at) / 60 AS INTEGER) * 60, j.queue, j.service_name, j.execution_type, 0, 0, 1, 0, 0
  FROM tb_job_attempt a JOIN tb_job_run j ON j.id = a.job_id
  WHERE a.error_class IS NOT NULL AND a.attempt < j.attempts
)
GROUP BY 1, 2, 3, 4
ORDER BY 1`;

const LATENCY_SQL = `
INSERT INTO tb_job_latency (minute, execution_type, service_name, bucket, n)
SELECT minute, execution_type, service_name, bucket, count(*)
FROM (
  SELECT CAST(unixepoch(completed_at) / 60 AS INTEGER) * 60 AS minute, execution_type, service_name,
         CASE WHEN ms < 1 THEN 0 ELSE min(128, 1 + CAST(floor(4 * log2(ms)) AS INTEGER)) END AS bucket
  FROM (
    SELECT completed_at, execution_type, service_name,
           max(0, CAST(round((julianday(completed_at) - julianday(started_at)) * 86400000.0) AS INTEGER)) AS ms
    FROM tb_job_run
    WHERE status = 'completed' AND completed_at IS NOT NULL AND started_at IS NOT NULL
  )
)
GROUP BY 1, 2, 3, 4
ORDER BY 1`;

/** The failed attempts, as the settles would have counted them (migration 0019). */
const FAILURES_SQL = `
INSERT INTO tb_failure_rollup (minute, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, sample_error)
SELECT CAST(unixepoch(a.finished_at) / 60 AS INTEGER) * 60, j.service_name, a.error_class, coalesce(j.error_fingerprint, ''), count(*),
       sum(j.status = 'failed' AND a.attempt = j.attempts), min(a.finished_at), max(a.finished_at), substr(coalesce(max(a.error_message), ''), 1, 1000)
FROM tb_job_attempt a JOIN tb_job_run j ON j.id = a.job_id
WHERE a.error_class IS NOT NULL AND a.finished_at IS NOT NULL
GROUP BY 1, 2, 3, 4
ORDER BY 1`;

/** The worker of the running jobs, registered and heartbeating (shape.ts). */
const WORKER_SQL = `
INSERT INTO tb_worker (id, name, host, pid, version, started_at, concurrency, queues, services, in_flight, state, last_heartbeat_at,
  rss_bytes, heap_used_bytes, cpu_percent, registry_digest, registry_path, registry_loaded_at, cannot_run)
SELECT @id, NULL, @host, @pid, @version, @startedAt, @concurrency, NULL, @services, count(*), 'running', @lastHeartbeatAt,
  @rssBytes, @heapUsedBytes, @cpuPercent, @registryDigest, @registryPath, @startedAt, @cannotRun
FROM tb_job_run WHERE status = 'running'`;
