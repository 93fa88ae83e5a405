import Database from 'better-sqlite3';
import { DAYS, FINGERPRINTS, QUEUES, SERVICES, firstBurst, firstPending, firstRunning } from './shape.ts';
import type { HistoryParams } from './shape.ts';

/**
 * Writes a realistic history (shape.ts) into a migrated, empty SQLite store with bulk SQL: a million jobs
 * in well under a minute, where enqueueing and running them would take hours. What the store keeps beside
 * the jobs (the per-minute rollups; the counts are rebuilt by the caller with checkCounts(true)) is written
 * from the jobs the same way migration 0005 wrote it for the history it found.
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
      fingerprints: BigInt(FINGERPRINTS),
      queues: JSON.stringify(QUEUES),
    };
    db.transaction(() => {
      db.prepare(JOBS_SQL).run(values);
      db.prepare(ATTEMPTS_SQL).run();
      db.prepare(ROLLUPS_SQL).run();
      db.prepare(LATENCY_SQL).run();
      db.prepare(FAILURES_SQL).run();
    })();
  } finally {
    db.close();
  }
}

const ISO = `'%Y-%m-%dT%H:%M:%fZ'`;

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
    CASE svc % 5 WHEN 0 THEN 'http' WHEN 1 THEN 'shell' WHEN 2 THEN 'docker' WHEN 3 THEN 'serverless' ELSE 'noop' END AS type,
    (CASE svc % 5 WHEN 0 THEN 120 WHEN 1 THEN 900 WHEN 2 THEN 4000 WHEN 3 THEN 300 ELSE 5 END) * (0.5 + ((i * 13) % 100) / 100.0) / 1000.0
      AS duration_s
  FROM base
)
INSERT INTO tb_job_run (id, identifier, queue, service_name, execution_type, payload, status, priority, attempts, max_attempts,
  run_at, lease_owner, lease_expires_at, created_at, started_at, completed_at, updated_at, error_message, error_fingerprint,
  resource_usage, resolved_at, resolution)
SELECT i, 'hist-' || i, json_extract(@queues, '$[' || (svc % json_array_length(@queues)) || ']'), printf('svc_%02d', svc), type,
  json_object('order', i, 'region', 'eu-' || (r % 3)), status, (r % 3) - 1,
  CASE status WHEN 'failed' THEN 3 WHEN 'cancelled' THEN 0 WHEN 'pending' THEN 0 WHEN 'running' THEN 1
              ELSE CASE WHEN r BETWEEN 100 AND 149 THEN 2 ELSE 1 END END,
  3,
  strftime(${ISO}, CASE WHEN status = 'pending' AND r % 10 = 0 THEN @now + 60 + r * 60 ELSE created END, 'unixepoch'),
  CASE WHEN status = 'running' THEN 'bench-worker' END,
  CASE WHEN status = 'running' THEN strftime(${ISO}, @now + 20, 'unixepoch') END,
  strftime(${ISO}, created, 'unixepoch'),
  CASE WHEN status IN ('completed', 'failed', 'running') THEN strftime(${ISO}, created + 0.05, 'unixepoch') END,
  CASE WHEN status IN ('completed', 'failed') THEN strftime(${ISO}, created + 0.05 + duration_s, 'unixepoch')
       WHEN status = 'cancelled' THEN strftime(${ISO}, created + 30, 'unixepoch') END,
  strftime(${ISO}, created + 0.05 + duration_s, 'unixepoch'),
  CASE WHEN status = 'failed' OR r BETWEEN 100 AND 149 THEN
    CASE (r % @fingerprints) % 5
      WHEN 0 THEN 'Gateway Timeout 504 from upstream api-' || (r % @fingerprints) || ' after 30000 ms (request ' || i || ')'
      WHEN 1 THEN 'connect ECONNREFUSED 10.0.' || (r % @fingerprints) || '.' || (i % 250) || ':5432'
      WHEN 2 THEN 'exit code ' || (1 + r % @fingerprints) || ': /usr/bin/python3 scripts/report.py failed: KeyError: ''customer_' || i || ''''
      WHEN 3 THEN 'CPU time limit exceeded (resource_limits.cpu_seconds=' || (60 * (1 + r % @fingerprints)) || ')'
      ELSE 'container exited 137 (OOMKilled) image=registry.local/app-' || (r % @fingerprints) || ':1.' || (i % 40)
    END END,
  CASE WHEN status = 'failed' OR r BETWEEN 100 AND 149 THEN 'fp-' || (r % @fingerprints) END,
  CASE WHEN status IN ('completed', 'failed') THEN json_object('duration_ms', round(duration_s * 1000), 'exit_code', 0) END,
  CASE WHEN status = 'failed' AND created < @now - 2 * 86400 AND i % 3 <> 0 THEN strftime(${ISO}, created + 3600, 'unixepoch') END,
  CASE WHEN status = 'failed' AND created < @now - 2 * 86400 AND i % 3 <> 0 THEN 'known issue, fixed upstream' END
FROM shaped`;

/** Every attempt of the finished and running jobs: earlier ones failed, the last one as the job ended. */
const ATTEMPTS_SQL = `
INSERT INTO tb_job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class, output_tail)
SELECT j.id, a.n, 'bench-worker', j.started_at,
  CASE WHEN j.status = 'running' AND a.n = j.attempts THEN NULL ELSE j.completed_at END,
  CASE WHEN j.status = 'running' AND a.n = j.attempts THEN 'running'
       WHEN a.n < j.attempts OR j.status = 'failed' THEN 'failed' ELSE 'completed' END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN j.error_message END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN
    CASE WHEN j.error_fingerprint IS NULL THEN 'exit_code' ELSE
      CASE CAST(substr(j.error_fingerprint, 4) AS INTEGER) % 5 WHEN 0 THEN 'http_504' WHEN 1 THEN 'connection' WHEN 2 THEN 'exit_code' ELSE 'resource_limit' END
    END END,
  CASE WHEN j.status = 'completed' AND a.n = j.attempts THEN 'done' END
FROM tb_job_run j JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) a ON a.n <= j.attempts
WHERE j.status IN ('completed', 'failed', 'running')`;

/** As migration 0005 backfilled the rollups of the history it found. */
const ROLLUPS_SQL = `
INSERT INTO tb_job_rollup (minute, queue, service_name, execution_type, completed, failed, cancelled, duration_ms)
SELECT CAST(unixepoch(completed_at) / 60 AS INTEGER) * 60, queue, service_name, execution_type,
       sum(status = 'completed'), sum(status = 'failed'), sum(status = 'cancelled'),
       coalesce(sum(CASE WHEN status = 'completed' AND started_at IS NOT NULL
                         THEN max(0, CAST(round((julianday(completed_at) - julianday(started_at)) * 86400000.0) AS INTEGER)) END), 0)
FROM tb_job_run
WHERE completed_at IS NOT NULL AND status IN ('completed', 'failed', 'cancelled')
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
