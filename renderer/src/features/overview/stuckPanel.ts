import type { WorkflowRunView } from '../../../../shared/contract.ts';

/** Runs shown of each workflow on the overview: the longest stuck; the rest are counted. */
export const SHOWN_PER_WORKFLOW = 5;

export interface StuckPanel {
  total: number;
  workflows: Array<{ workflow: string; runs: WorkflowRunView[]; more: number }>;
}

/**
 * The overview's stuck runs: every workflow with stuck runs, its longest stuck few, and how many more it has
 * by the exact counts, so one workflow with thousands stuck neither hides another nor fills the page.
 */
export function stuckPanel(runs: readonly WorkflowRunView[], counts: ReadonlyArray<{ workflow: string; stuck: number }>): StuckPanel {
  const workflows = counts
    .filter((c) => c.stuck > 0)
    .map(({ workflow, stuck }) => {
      const shown = runs.filter((r) => r.workflow === workflow).slice(0, SHOWN_PER_WORKFLOW);
      return { workflow, runs: shown, more: Math.max(0, stuck - shown.length) };
    });
  return { total: workflows.reduce((sum, w) => sum + w.runs.length + w.more, 0), workflows };
}
