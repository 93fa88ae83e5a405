import type { WorkflowStats, WorkflowStatsView } from '../../shared/contract.ts';
import { percentileOf } from '../../shared/latencyBuckets.ts';
import type { WorkflowRunTally } from '../store/workflowTypes.ts';

const STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;

const ms = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

/**
 * `workflows.stats` from the store's tally of the runs started in [since, until): per workflow, by name,
 * each status counted, and the completed runs' p50 and p95 read from their duration buckets.
 */
export function workflowStatsOf(tally: WorkflowRunTally, since: Date, until: Date): WorkflowStatsView {
  const byName = new Map<string, { counts: Map<string, number>; buckets: Map<number, number> }>();
  const of = (name: string) => {
    let entry = byName.get(name);
    if (!entry) {
      entry = { counts: new Map(), buckets: new Map() };
      byName.set(name, entry);
    }
    return entry;
  };
  for (const row of tally.counts) of(row.workflow_name).counts.set(row.status, row.n);
  for (const row of tally.durations) of(row.workflow_name).buckets.set(row.bucket, row.n);
  const workflows: WorkflowStats[] = [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([workflow, { counts, buckets }]) => {
      const [running, completed, failed, cancelled] = STATUSES.map((s) => counts.get(s) ?? 0);
      return {
        workflow,
        runs: [...counts.values()].reduce((sum, n) => sum + n, 0),
        running: running ?? 0,
        completed: completed ?? 0,
        failed: failed ?? 0,
        cancelled: cancelled ?? 0,
        p50_ms: ms(percentileOf(buckets, 0.5)),
        p95_ms: ms(percentileOf(buckets, 0.95)),
      };
    });
  return { since: since.toISOString(), until: until.toISOString(), workflows };
}
