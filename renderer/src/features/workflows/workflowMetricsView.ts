import type { WorkflowStatsView } from '../../../../shared/contract.ts';
import { durationText } from '../../../../shared/durationText.ts';
import { formatCount } from '../../lib/format.ts';

/** The windows the metrics offer, each in minutes as `workflows.stats` takes it. */
export const METRICS_WINDOWS = { '1h': 60, '24h': 1440, '7d': 10_080, '30d': 43_200 } as const;
export type MetricsWindow = keyof typeof METRICS_WINDOWS;

/** The URL parameter that keeps the window, so a shared address shows the same figures. */
export const METRICS_WINDOW_PARAM = 'stats';

/** The window in the address; the day when there is none or it is not one offered. */
export function metricsWindow(params: URLSearchParams): MetricsWindow {
  const value = params.get(METRICS_WINDOW_PARAM);
  return (Object.keys(METRICS_WINDOWS) as MetricsWindow[]).find((w) => w === value) ?? '24h';
}

/** One workflow's line: its counts as the CLI writes them, a dash for a duration none completed to give. */
export interface MetricsRow {
  workflow: string;
  cells: { runs: string; succeeded: string; failed: string; cancelled: string; running: string; p50: string; p95: string };
}

export function metricsRows(result: WorkflowStatsView): MetricsRow[] {
  return result.workflows.map((w) => ({
    workflow: w.workflow,
    cells: {
      runs: formatCount(w.runs),
      succeeded: formatCount(w.completed),
      failed: formatCount(w.failed),
      cancelled: formatCount(w.cancelled),
      running: formatCount(w.running),
      p50: durationText(w.p50_ms, '—'),
      p95: durationText(w.p95_ms, '—'),
    },
  }));
}
