import { z } from 'zod';
import { Timestamp } from './domain.ts';

/** A window of workflow metrics may reach back this far: the runs kept by default (retention's 30 days). */
export const WORKFLOW_STATS_MAX_MINUTES = 30 * 24 * 60;

/** One workflow's runs started in a window, each counted in the status it has now. */
export const WorkflowStats = z.object({
  workflow: z.string(),
  runs: z.number().int(),
  running: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  /** Completed runs' durations, start to finish, read from duration buckets (within about 19%); null when none completed. */
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
});
export type WorkflowStats = z.infer<typeof WorkflowStats>;

export const WorkflowStatsView = z.object({
  /** The window read: runs started from `since` until `until`, the moment of the read. */
  since: Timestamp,
  until: Timestamp,
  /** Each workflow with a run started in the window, by name. */
  workflows: z.array(WorkflowStats),
});
export type WorkflowStatsView = z.infer<typeof WorkflowStatsView>;
