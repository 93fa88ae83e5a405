import type { Connection } from './db.ts';

/** Hours [from, to): unix seconds at the start of each, whole hours. */
export type Span = { from: number; to: number };

/**
 * Sums hours anew from the minutes they hold: the summing step (rollupHours.ts) and pruning (retention.ts),
 * which sums again the hour holding where a call stopped once the minutes before it are gone, both write the hours
 * with these statements, so the two cannot count an hour differently.
 */
export function prepareHourSums(c: Connection) {
  const s = {
    clearOutcomes: c.prepare<[Span]>(`DELETE FROM tb_job_rollup_hour WHERE hour >= @from AND hour < @to`),
    clearLatency: c.prepare<[Span]>(`DELETE FROM tb_job_latency_hour WHERE hour >= @from AND hour < @to`),
    clearServiceOutcomes: c.prepare<[Span]>(`DELETE FROM tb_job_rollup_service_hour WHERE hour >= @from AND hour < @to`),
    clearServiceLatency: c.prepare<[Span]>(`DELETE FROM tb_job_latency_service_hour WHERE hour >= @from AND hour < @to`),
    clearFailures: c.prepare<[Span]>(`DELETE FROM tb_failure_rollup_hour WHERE hour >= @from AND hour < @to`),
    sumOutcomes: c.prepare<[Span]>(
      `INSERT INTO tb_job_rollup_hour (hour, execution_type, completed, failed, retried)
       SELECT minute / 3600 * 3600, execution_type, sum(completed), sum(failed), sum(retried)
       FROM tb_job_rollup WHERE minute >= @from AND minute < @to GROUP BY 1, 2
       HAVING sum(completed) + sum(failed) + sum(retried) > 0`,
    ),
    sumLatency: c.prepare<[Span]>(
      `INSERT INTO tb_job_latency_hour (hour, execution_type, bucket, n)
       SELECT minute / 3600 * 3600, execution_type, bucket, sum(n)
       FROM tb_job_latency WHERE minute >= @from AND minute < @to GROUP BY 1, 2, 3`,
    ),
    sumServiceOutcomes: c.prepare<[Span]>(
      `INSERT INTO tb_job_rollup_service_hour (hour, service_name, execution_type, completed, failed, retried)
       SELECT minute / 3600 * 3600, service_name, execution_type, sum(completed), sum(failed), sum(retried)
       FROM tb_job_rollup WHERE minute >= @from AND minute < @to GROUP BY 1, 2, 3
       HAVING sum(completed) + sum(failed) + sum(retried) > 0`,
    ),
    sumServiceLatency: c.prepare<[Span]>(
      `INSERT INTO tb_job_latency_service_hour (hour, service_name, execution_type, bucket, n)
       SELECT minute / 3600 * 3600, service_name, execution_type, bucket, sum(n)
       FROM tb_job_latency WHERE minute >= @from AND minute < @to GROUP BY 1, 2, 3, 4`,
    ),
    sumFailures: c.prepare<[Span]>(
      `INSERT INTO tb_failure_rollup_hour (hour, service_name, error_class, fingerprint, failures, dead_lettered, first_at, last_at, last_minute)
       SELECT minute / 3600 * 3600, service_name, error_class, fingerprint, sum(failures), sum(dead_lettered), min(first_at), max(last_at), max(minute)
       FROM tb_failure_rollup WHERE minute >= @from AND minute < @to GROUP BY 1, 2, 3, 4`,
    ),
  };
  return {
    /** The jobs' outcomes and durations per type, and per service and type. Inside the caller's write transaction. */
    counts(span: Span): void {
      s.clearOutcomes.run(span);
      s.clearLatency.run(span);
      s.clearServiceOutcomes.run(span);
      s.clearServiceLatency.run(span);
      s.sumOutcomes.run(span);
      s.sumLatency.run(span);
      s.sumServiceOutcomes.run(span);
      s.sumServiceLatency.run(span);
    },
    /** The failures per group, each hour pointing at its latest minute for the sample. Inside the caller's write transaction. */
    failures(span: Span): void {
      s.clearFailures.run(span);
      s.sumFailures.run(span);
    },
  };
}
