import { rowsOf, type Queryable } from './db.ts';

/**
 * Sums hours [from, to) anew from the minutes they hold (ISO times, whole hours): the summing step
 * (rollupHours.ts) and pruning (retention.ts), which sums again the hour holding where a call stopped once the
 * minutes before it are gone, both write the hours with these statements, so the two cannot count an hour
 * differently. Each inside the caller's transaction, which holds the mark's row. Hours are UTC hours: the
 * epoch's, whatever the session's time zone (date_trunc would follow it, and some zones are half an hour off).
 */

const HOUR_OF = (column: string) => `to_timestamp(floor(extract(epoch FROM ${column}) / 3600) * 3600)`;

/** The jobs' outcomes and durations per type, and per service and type. */
export async function sumCountHours(client: Queryable, from: string, to: string): Promise<void> {
  const span = [from, to];
  await rowsOf(client, `DELETE FROM jobs.tb_job_rollup_hour WHERE hour >= $1 AND hour < $2`, span);
  await rowsOf(client, `DELETE FROM jobs.tb_job_latency_hour WHERE hour >= $1 AND hour < $2`, span);
  await rowsOf(client, `DELETE FROM jobs.tb_job_rollup_service_hour WHERE hour >= $1 AND hour < $2`, span);
  await rowsOf(client, `DELETE FROM jobs.tb_job_latency_service_hour WHERE hour >= $1 AND hour < $2`, span);
  await rowsOf(
    client,
    `INSERT INTO jobs.tb_job_rollup_hour (hour, execution_type, completed, failed, retried)
     SELECT ${HOUR_OF('minute')}, execution_type, sum(completed), sum(failed), sum(retried)
     FROM jobs.tb_job_rollup WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2
     HAVING sum(completed) + sum(failed) + sum(retried) > 0`,
    span,
  );
  await rowsOf(
    client,
    `INSERT INTO jobs.tb_job_latency_hour (hour, execution_type, bucket, n)
     SELECT ${HOUR_OF('minute')}, execution_type, bucket, sum(n)
     FROM jobs.tb_job_latency WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2, 3`,
    span,
  );
  await rowsOf(
    client,
    `INSERT INTO jobs.tb_job_rollup_service_hour (hour, service_name, execution_type, completed, failed, retried)
     SELECT ${HOUR_OF('minute')}, service_name, execution_type, sum(completed), sum(failed), sum(retried)
     FROM jobs.tb_job_rollup WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2, 3
     HAVING sum(completed) + sum(failed) + sum(retried) > 0`,
    span,
  );
  await rowsOf(
    client,
    `INSERT INTO jobs.tb_job_latency_service_hour (hour, service_name, execution_type, bucket, n)
     SELECT ${HOUR_OF('minute')}, service_name, execution_type, bucket, sum(n)
     FROM jobs.tb_job_latency WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2, 3, 4`,
    span,
  );
}

/** The failures per group, each hour pointing at its latest minute for the sample. */
export async function sumFailureHours(client: Queryable, from: string, to: string): Promise<void> {
  const span = [from, to];
  await rowsOf(client, `DELETE FROM jobs.tb_failure_rollup_hour WHERE hour >= $1 AND hour < $2`, span);
  await rowsOf(
    client,
    `INSERT INTO jobs.tb_failure_rollup_hour (hour, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, last_minute)
     SELECT ${HOUR_OF('minute')}, service_name, error_class, fingerprint, sum(failures), sum(dead_lettered), min(first_at), max(last_at), max(minute)
     FROM jobs.tb_failure_rollup WHERE minute >= $1 AND minute < $2 GROUP BY 1, 2, 3, 4`,
    span,
  );
}
