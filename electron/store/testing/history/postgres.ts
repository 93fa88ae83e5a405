import pg from 'pg';
import { DAYS, FINGERPRINTS, QUEUES, SERVICES, firstBurst, firstPending, firstRunning } from './shape.ts';
import type { HistoryParams } from './shape.ts';

/**
 * Writes a realistic history (shape.ts) into a migrated, empty PostgreSQL store with bulk SQL, as
 * sqlite.ts does for SQLite: the jobs, their attempts, the ready rows of the pending ones and one lease
 * row for the running ones, and the per-minute rollups as migration 0008 wrote them for the history it
 * found. The counts are rebuilt by the caller with checkCounts(true).
 */
export async function fillPostgresHistory(url: string, p: HistoryParams): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL synchronous_commit = off`);
    await client.query(JOBS_SQL, [
      p.jobs,
      firstBurst(p),
      firstRunning(p),
      firstPending(p),
      p.nowMs / 1000,
      DAYS * 86_400,
      SERVICES,
      FINGERPRINTS,
      QUEUES,
    ]);
    await client.query(`SELECT setval('jobs.tb_job_run_id_seq', (SELECT max(id) FROM jobs.tb_job_run))`);
    for (const sql of [ATTEMPTS_SQL, READY_SQL, LEASE_SQL, ROLLUPS_SQL, LATENCY_SQL, FAILURES_SQL]) await client.query(sql);
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

/** $1 jobs, $2 first of the burst, $3 first running, $4 first pending, $5 now (unix s), $6 span (s), $7 services, $8 fingerprints, $9 queues. */
const JOBS_SQL = `
WITH base AS (
  SELECT i, (i * 7919) % 1000 AS r, ((i * 2654435761) % 1000003) % $7::int AS svc,
    CASE WHEN i < $2::bigint THEN $5::float8 - $6::float8 + (i - 1) * (($6::float8 - 3600.0) / greatest(1, $2::bigint - 1))
         ELSE $5::float8 - 3600 + (i - $2::bigint) * (3600.0 / greatest(1, $1::bigint - $2::bigint + 1)) END AS created
  FROM generate_series(1::bigint, $1::bigint) AS i
),
shaped AS (
  SELECT i, r, svc, to_timestamp(created) AS created,
    CASE WHEN i >= $4::bigint THEN 'pending' WHEN i >= $3::bigint THEN 'running'
         WHEN r < 80 THEN 'failed' WHEN r < 100 THEN 'cancelled' ELSE 'completed' END AS status,
    CASE svc % 5 WHEN 0 THEN 'http' WHEN 1 THEN 'shell' WHEN 2 THEN 'docker' WHEN 3 THEN 'serverless' ELSE 'noop' END AS type,
    make_interval(secs => (CASE svc % 5 WHEN 0 THEN 120 WHEN 1 THEN 900 WHEN 2 THEN 4000 WHEN 3 THEN 300 ELSE 5 END)
      * (0.5 + ((i * 13) % 100) / 100.0) / 1000.0) AS duration,
    to_timestamp($5::float8) AS now
  FROM base
)
INSERT INTO jobs.tb_job_run (id, identifier, queue, service_name, execution_type, payload, status, priority, attempts,
  max_attempts, run_at, lease_owner, lease_expires_at, attempt_id, created_at, started_at, completed_at, updated_at,
  error_message, error_fingerprint, resource_usage, resolved_at, resolution)
SELECT i, 'hist-' || i, ($9::text[])[1 + svc % cardinality($9::text[])], format('svc_%s', lpad(svc::text, 2, '0')), type,
  jsonb_build_object('order', i, 'region', 'eu-' || (r % 3)), status, (r % 3) - 1,
  CASE status WHEN 'failed' THEN 3 WHEN 'cancelled' THEN 0 WHEN 'pending' THEN 0 WHEN 'running' THEN 1
              ELSE CASE WHEN r BETWEEN 100 AND 149 THEN 2 ELSE 1 END END,
  3,
  CASE WHEN status = 'pending' AND r % 10 = 0 THEN now + make_interval(secs => 60 + r * 60) ELSE created END,
  CASE WHEN status = 'running' THEN 'bench-worker' END,
  CASE WHEN status = 'running' THEN now + interval '20 seconds' END,
  CASE WHEN status = 'running' THEN nextval('jobs.tb_job_attempt_id_seq') END,
  created,
  CASE WHEN status IN ('completed', 'failed', 'running') THEN created + interval '50 milliseconds' END,
  CASE WHEN status IN ('completed', 'failed') THEN created + interval '50 milliseconds' + duration
       WHEN status = 'cancelled' THEN created + interval '30 seconds' END,
  created + interval '50 milliseconds' + duration,
  CASE WHEN status = 'failed' OR r BETWEEN 100 AND 149 THEN
    CASE (r % $8::int) % 5
      WHEN 0 THEN 'Gateway Timeout 504 from upstream api-' || (r % $8::int) || ' after 30000 ms (request ' || i || ')'
      WHEN 1 THEN 'connect ECONNREFUSED 10.0.' || (r % $8::int) || '.' || (i % 250) || ':5432'
      WHEN 2 THEN 'exit code ' || (1 + r % $8::int) || ': /usr/bin/python3 scripts/report.py failed: KeyError: ''customer_' || i || ''''
      WHEN 3 THEN 'CPU time limit exceeded (resource_limits.cpu_seconds=' || (60 * (1 + r % $8::int)) || ')'
      ELSE 'container exited 137 (OOMKilled) image=registry.local/app-' || (r % $8::int) || ':1.' || (i % 40)
    END END,
  CASE WHEN status = 'failed' OR r BETWEEN 100 AND 149 THEN 'fp-' || (r % $8::int) END,
  CASE WHEN status IN ('completed', 'failed') THEN jsonb_build_object('duration_ms', round(extract(epoch FROM duration) * 1000), 'exit_code', 0) END,
  CASE WHEN status = 'failed' AND created < now - interval '2 days' AND i % 3 <> 0 THEN created + interval '1 hour' END,
  CASE WHEN status = 'failed' AND created < now - interval '2 days' AND i % 3 <> 0 THEN 'known issue, fixed upstream' END
FROM shaped`;

/** Finished attempts only: the one in progress is the running job's own row (migration 0004). */
const ATTEMPTS_SQL = `
INSERT INTO jobs.tb_job_attempt (job_id, attempt, worker_id, started_at, finished_at, outcome, error_message, error_class, output_tail)
SELECT j.id, a.n, 'bench-worker', j.started_at, j.completed_at,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN 'failed' ELSE 'completed' END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN j.error_message END,
  CASE WHEN a.n < j.attempts OR j.status = 'failed' THEN
    CASE WHEN j.error_fingerprint IS NULL THEN 'exit_code' ELSE
      CASE substr(j.error_fingerprint, 4)::int % 5 WHEN 0 THEN 'http_504' WHEN 1 THEN 'connection' WHEN 2 THEN 'exit_code' ELSE 'resource_limit' END
    END END,
  CASE WHEN j.status = 'completed' AND a.n = j.attempts THEN 'done' END
FROM jobs.tb_job_run j JOIN generate_series(1, 3) AS a(n) ON a.n <= j.attempts
WHERE j.status IN ('completed', 'failed')`;

const READY_SQL = `
INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
SELECT id, queue, service_name, priority, run_at FROM jobs.tb_job_run WHERE status = 'pending'`;

const LEASE_SQL = `
INSERT INTO jobs.tb_job_lease (worker_id, job_ids)
SELECT 'bench-worker', array_agg(id ORDER BY id) FROM jobs.tb_job_run WHERE status = 'running' HAVING count(*) > 0`;

/** As migration 0008 backfilled the rollups of the history it found. */
const ROLLUPS_SQL = `
INSERT INTO jobs.tb_job_rollup (minute, queue, service_name, execution_type, stripe, completed, failed, cancelled, duration_ms)
SELECT date_trunc('minute', completed_at), queue, service_name, execution_type, -1,
  count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'),
  count(*) FILTER (WHERE status = 'cancelled'),
  coalesce(sum(greatest(0, round(extract(epoch FROM completed_at - started_at) * 1000))::bigint)
    FILTER (WHERE status = 'completed' AND started_at IS NOT NULL), 0)
FROM jobs.tb_job_run
WHERE completed_at IS NOT NULL AND status IN ('completed', 'failed', 'cancelled')
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
