import type { StoppedJobs } from './controlStore.ts';

/** Both dialects' kept counts of running and pending jobs per service, as an emergency stop reports them. */
export function stoppedJobs(rows: ReadonlyArray<{ service_name: string; state: string; n: number }>): StoppedJobs {
  const runningByService: Record<string, number> = {};
  let pending = 0;
  for (const row of rows) {
    if (row.state === 'running') runningByService[row.service_name] = row.n;
    else pending += row.n;
  }
  return { runningByService, pending };
}
