/**
 * The statement that gives jobs their place in jobs.tb_job_ready (migration 0005): every way a job
 * becomes pending ends with it, reading id, queue, service_name, priority and run_at from `source`
 * (a CTE or the job table), optionally narrowed by `where`.
 */
export function readyRowsFrom(source: string, where = ''): string {
  return `INSERT INTO jobs.tb_job_ready (job_id, queue, service_name, priority, run_at)
  SELECT id, queue, service_name, priority, run_at FROM ${source}${where ? ` WHERE ${where}` : ''}`;
}
