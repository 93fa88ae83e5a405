import type { StuckAfters } from '../workflowTypes.ts';

/**
 * The running runs stuck at @now, for the FROM of a read: no task progress for their own stuck_after, or
 * for a run started before runs kept theirs, their workflow's in @held (a JSON object of workflow to ms),
 * else @fallback ms. Walks the index of running runs alone (migration 0011), so a read grows with the runs
 * under way, never with those kept. The same cut as isRunStuck in shared/workflow.ts: past, not at, it.
 */
export const STUCK_RUNS = `tb_workflow_run r INDEXED BY idx_tb_workflow_run_running
  LEFT JOIN json_each(@held) h ON h.key = r.workflow_name
  WHERE r.status = 'running'
    AND r.updated_at < strftime('%Y-%m-%dT%H:%M:%fZ', @now, '-' || (coalesce(r.stuck_after_ms, h.value, @fallback) / 1000.0) || ' seconds')`;

export interface StuckParams {
  now: string;
  held: string;
  fallback: number;
}

export function stuckParams(now: Date, held: StuckAfters): StuckParams {
  return { now: now.toISOString(), held: JSON.stringify(Object.fromEntries(held.byWorkflow)), fallback: held.defaultMs };
}
