import pg from 'pg';
import { failurePicks, historyFailures, PICKS } from './failures.ts';
import { DAYS, QUEUES, RETRY_AFTER_S, SERVICES, firstBurst, firstPending, firstRunning, historyWorker } from './shape.ts';
import type { HistoryParams } from './shape.ts';

/**
 * Writes a realistic history (shape.ts) into a migrated, empty PostgreSQL store with bulk SQL, as
 * sqlite.ts does for SQLite: the jobs, their attempts, the ready rows of the pending ones and one lease
 * row for the running ones, the per-minute rollups and failure rollups as the settles would have written
 * them, and the worker's row. The counts are rebuilt by the caller with checkCounts(true).
 */
export async function fillPostgresHistory(url: string, p: HistoryParams): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL synchronous_commit = off`);
    const failures = historyFailures(p.engine);
    for (const sql of FAILURE_TABLES) await client.query(sql);
    await client.query(
      `INSERT INTO hist_failure (fingerprint, error_class, retryable, message) SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[])`,
      [failures.map((f) => f.fingerprint), failures.map((f) => f.errorClass), failures.map((f) => f.retryable), failures.map((f) => f.message)],
    );
    const picks = failurePicks(failures);
    await client.query(
      `INSERT INTO hist_pick (svc, trouble, pick, fingerprint) SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::text[])`,
      [picks.map((k) => k.svc), picks.map((k) => k.trouble), picks.map((k) => k.pick), picks.map((k) => k.fingerprint)],
    );
    await client.query(`ANALYZE hist_failure`);
    await client.query(`ANALYZE hist_pick`);
    await client.query(JOBS_SQL, [
      p.jobs,
      firstBurst(p),
      firstRunning(p),
      firstPending(p),
      p.nowMs / 1000,
      DAYS * 86_400,
      SERVICES,
      PICKS,
      QUEUES,
      RETRY_AFTER_S,
    ]);
    await client.query(`SELECT setval('jobs.tb_job_run_id_seq', (SELECT max(id) FROM jobs.tb_job_run))`);
    await client.query(ATTEMPTS_SQL, [RETRY_AFTER_S]);
    for (const sql of [READY_SQL, LEASE_SQL, ROLLUPS_SQL, LATENCY_SQL, FAILURES_SQL]) await client.query(sql);
    const w = historyWorker(p);
    await client.query(WORKER_SQL, [
      w.id, w.host, w.pid, w.version, w.startedAt, w.concurrency, w.services, w.lastHeartbeatAt, w.rssBytes, w.heapUsedBytes, w.cpuPercent,
      w.registryDigest, w.registryPath, w.cannotRun,
    ]);
    await client.query('COMMIT');
    for (const table of ['tb_job_run', 'tb_job_attempt', 'tb_job_ready', 'tb_job_rollup', 'tb_job_latency', 'tb_failure_rollup', 'tb_open_dead_letter']) {
      await client.query(`VACUUM ANALYZE jobs.${table}`);
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** The ways of failing (failures.ts), and which of them a troubled job of each service picks; gone at the commit. */
const FAILURE_TABLES = [
  `CREATE TEMP TABLE hist_failure (fingerprint text PRIMARY KEY, error_class text NOT NULL, retryable boolean NOT NULL, message text NOT NULL)
   ON COMMIT DROP`,
  `CREATE TEMP TABLE hist_pick (svc int, trouble text, pick int, fingerprint text NOT NULL, PRIMARY KEY (svc, trouble, pick)) ON COMMIT DROP`,
];

/**
 * $1 jobs, $2 first of the burst, $3 first running, $4 first pending, $5 now (unix s), $6 span (s), $7 services,
 * $8 picks, $9 queues, $10 retry after (s). As sqlite.ts: a dead letter failed every attempt of a way worth
 * another try, or its one attempt of a way that is not; a job that failed once and then completed keeps that
 * failure's error and fingerprint, as the settle of its completion leaves them. The job's start is its last
 * attempt's, the ones before it $10 seconds apart. Times are worked out in seconds and made timestamps once.
 */
const JOBS_SQL = `
WITH base AS (
  SELECT i, (i * 7919) % 1000 AS r, ((i * 2654435761) % 1000003) % $7::int AS svc,
    CASE WHEN i < $2::bigint THEN $5::float8 - $6::float8 + (i - 1) * (($6::float8 - 3600.0) / greatest(1, $2::bigint - 1))
         ELSE $5::float8 - 3600 + (i - $2::bigint) * (3600.0 / greatest(1, $1::bigint - $2::bigint + 1)) END AS created
  FROM generate_series(1::bigint, $1::bigint) AS i
),
shaped AS (
  SELECT i, r, svc, created,
    CASE WHEN i >= $4::bigint THEN 'pending' WHEN i >= $3::bigint THEN 'running'
         WHEN r < 80 THEN 'failed' WHEN r < 100 THEN 'cancelled' ELSE 'completed' END AS status,
    CASE WHEN i < $3::bigint AND r < 80 THEN 'failed' WHEN i < $3::bigint AND r BETWEEN 100 AND 149 THEN 'retried' END AS trouble,
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
  LEFT JOIN hist_pick k ON k.svc = s.svc AND k.trouble = s.trouble AND k.pick = (s.i / 7) % $8::int
  LEFT JOIN hist_failure f ON f.fingerprint = k.fingerprint
),
timed AS (
  SELECT *, created + 0.05 + greatest(attempts - 1, 0) * (duration_s + $10::float8) AS last_start FROM troubled
)
INSERT INTO jobs.tb_job_run (id, identifier, queue, service_name, execution_type, payload, status, priority, attempts,
  max_attempts, run_at, lease_owner, lease_expires_at, attempt_id, created_at, started_at, completed_at, updated_at,
  error_message, error_fingerprint, resource_usage, resolved_at, resolution)
SELECT i, 'hist-' || i, ($9::text[])[1 + svc % cardinality($9::text[])], format('svc_%s', lpad(svc::text, 2, '0')), type,
  jsonb_build_object('order', i, 'region', 'eu-' || (r % 3)), status, (r % 3) - 1, attempts, 3,
  to_timestamp(CASE WHEN status = 'pending' AND r % 10 = 0 THEN $5::float8 + 60 + r * 60 ELSE created END),
  CASE WHEN status = 'running' THEN 'bench-worker' END,
  CASE WHEN status = 'running' THEN to_timestamp($5::float8 + 20) END,
  CASE WHEN status = 'running' THEN nextval('jobs.tb_job_attempt_id_seq') END,
  to_timestamp(created),
  CASE WHEN status IN ('completed', 'failed', 'running') THEN to_timestamp(last_start) END,
  CASE WHEN status IN ('completed', 'failed') THEN to_timestamp(last_start + duration_s)
       WHEN status = 'cancelled' THEN to_timestamp(created + 30) END,
  to_timestamp(last_start + duration_s),
  replace(replace(replace(message, '{job}', i::text), '{n}', (10 + i % 90)::text),
    '{ip}', '10.' || svc || '.' || (i / 250 % 250) || '.' || (1 + i % 250)),
  fingerprint,
  CASE WHEN status IN ('completed', 'failed') THEN jsonb_build_object('duration_ms', round(duration_s * 1000), 'exit_code', 0) END,
  CASE WHEN status = 'failed' AND created < $5::float8 - 2 * 86400 AND i % 3 <> 0 THEN to_timestamp(created + 3600) END,
  CASE WHEN status = 'failed' AND created < $5::float8 - 2 * 86400 AND i % 3 <> 0 THEN 'known issue, fixed upstream' END
FROM timed`;

/**
 * Finished attempts only: the one in progress is the running job's own row (migration 0004). Each ran as
 * long as the last, and the one after it started $1 seconds after it ended.
 */
const ATTEMPTS_SQL = `
INSERT INTO jobs.tb_job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class, output_tail)
SELECT j.id, a.n, 'bench-worker',
  j.started_at - (j.attempts - a.n) * (j.completed_at - j.started_at + make_interval(secs => $1::float8)),
  j.completed_at - (j.attempts - a.n) * (j.completed_at - j.started_at + make_interval(secs => $1::float8)),
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN 'failed' ELSE 'completed' END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN j.error_message END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN f.error_class END,
  CASE WHEN j.status = 'completed' AND a.n = j.attempts THEN 'done' END
FROM jobs.tb_job_run j
JOIN generate_series(1, 3) AS a(n) ON a.n <= j.attempts
LEFT JOIN hist_failure f ON f.fingerprint = j.error_fingerprint
WHERE j.status IN ('completed', 'failed')`;

const READY_SQL = `
INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
SELECT id, queue, service_name, priority, run_at FROM jobs.tb_job_run WHERE status = 'pending'`;

const LEASE_SQL = `
INSERT INTO jobs.tb_job_lease (worker_id, job_ids)
SELECT 'bench-worker', array_agg(id ORDER BY id) FROM jobs.tb_job_run WHERE status = 'running' HAVING count(*) > 0`;

/**
 * As the settles count them, folded into stripe -1: each finished job in the minute it finished, and each
 * failed attempt the job was retried after in the minute that attempt ended.
 */
const ROLLUPS_SQL = `
INSERT INTO jobs.tb_job_rollup (minute, queue, service_name, execution_type, stripe, completed, failed, retried, cancelled, duration_ms)
SELECT minute, queue, service_name, execution_type, -1, sum(completed), sum(failed), sum(retried), sum(cancelled), sum(duration_ms)
FROM (
  SELECT date_trunc('minute', completed_at) AS minute, queue, service_name, execution_type,
    (status = 'completed')::int AS completed, (status = 'failed')::int AS failed, 0 AS retried, (status = 'cancelled')::int AS cancelled,
    CASE WHEN status = 'completed' AND started_at IS NOT NULL
         THEN greatest(0, round(extract(epoch FROM completed_at - started_at) * 1000))::bigint ELSE 0 END AS duration_ms
  FROM jobs.tb_job_run
  WHERE completed_at IS NOT NULL AND status IN ('completed', 'failed', 'cancelled')
  UNION ALL
  SELECT date_trunc('minute', a.finished_at), j.queue, j.service_name, j.execution_type, 0, 0, 1, 0, 0
  FROM jobs.tb_job_attempt a JOIN jobs.tb_job_run j ON j.id = a.job_id
  WHERE a.error_class IS NOT NULL AND a.attempt < j.attempts
) finished
GROUP BY 1, 2, 3, 4
ORDER BY 1`;

const LATENCY_SQL = `
INSERT INTO jobs.tb_job_latency (minute, execution_type, service_name, bucket, stripe, n)
SELECT minute, execution_type, service_name,
  CASE WHEN ms < 1 THEN 0 ELSE least(128, 1 + floor(4 * ln(ms::float8) / ln(2::float8)))::int END, -1, count(*)
FROM (
  SELECT date_trunc('minute', completed_at) AS minute, execution_type, service_name,
    greatest(0, round(extract(epoch FROM completed_at - started_at) * 1000))::bigint AS ms
  FROM jobs.tb_job_run
  WHERE status = 'completed' AND completed_at IS NOT NULL AND started_at IS NOT NULL
) d
GROUP BY 1, 2, 3, 4
ORDER BY 1`;

/** The failed attempts, as the settles would have counted them (migration 0031), folded into stripe -1. */
const FAILURES_SQL = `
INSERT INTO jobs.tb_failure_rollup (minute, service_name, error_class, fingerprint, stripe, failures, dead_lettered, first_at, last_at, sample_error)
SELECT date_trunc('minute', a.finished_at), j.service_name, a.error_class, coalesce(j.error_fingerprint, ''), -1, count(*),
  count(*) FILTER (WHERE j.status = 'failed' AND a.attempt = j.attempts), min(a.finished_at), max(a.finished_at),
  left(coalesce(max(a.error_message), ''), 1000)
FROM jobs.tb_job_attempt a JOIN jobs.tb_job_run j ON j.id = a.job_id
WHERE a.error_class IS NOT NULL AND a.finished_at IS NOT NULL
GROUP BY 1, 2, 3, 4
ORDER BY 1`;

/** The worker of the running jobs, registered and heartbeating (shape.ts). */
const WORKER_SQL = `
INSERT INTO jobs.tb_worker (id, name, host, pid, version, started_at, concurrency, queues, services, in_flight, state, last_heartbeat_at,
  rss_bytes, heap_used_bytes, cpu_percent, registry_digest, registry_path, registry_loaded_at, cannot_run)
SELECT $1, NULL, $2, $3, $4, $5::timestamptz, $6, NULL, $7::text[], count(*), 'running', $8::timestamptz,
  $9, $10, $11, $12, $13, $5::timestamptz, $14::jsonb
FROM jobs.tb_job_run WHERE status = 'running'`;
