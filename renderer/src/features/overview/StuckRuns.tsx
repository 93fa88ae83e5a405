import { useCall } from '../../lib/calls.ts';
import { formatAgo } from '../../lib/format.ts';
import { routeHref } from '../../lib/router.ts';
import { useNow } from '../../lib/useNow.ts';
import { stuckPanel } from './stuckPanel.ts';

/**
 * Workflow runs still running with no task progress for longer than their workflow's stuck_after: shown
 * on the overview only when there are some, the longest stuck of each workflow linking to its graph on the
 * Workflows page, and how many more each has.
 */
export function StuckRuns() {
  const now = useNow();
  const stuck = useCall('workflows.stuck', {}, { refetchInterval: 15_000 });
  if (!stuck.data) return null;
  const panel = stuckPanel(stuck.data.runs, stuck.data.counts);
  if (panel.total === 0) return null;
  return (
    <section className="panel panel-warn" aria-labelledby="stuck-runs" aria-live="polite">
      <header className="panel-header">
        <h2 id="stuck-runs">
          {panel.total === 1 ? '1 workflow run is stuck' : `${panel.total} workflow runs are stuck`}: no task progressed for longer than its workflow allows
        </h2>
      </header>
      <ul>
        {panel.workflows.flatMap(({ workflow, runs, more }) => [
          ...runs.map((run) => (
            <li key={run.id}>
              <a href={routeHref('/workflows', { run: String(run.id) })}>
                Run {run.id} of {run.workflow}
              </a>{' '}
              <span className="muted">— last progress {formatAgo(run.updated_at, now)}</span>
            </li>
          )),
          ...(more > 0
            ? [
                <li key={`more-${workflow}`} className="muted">
                  and {more} more of {workflow}
                </li>,
              ]
            : []),
        ])}
      </ul>
    </section>
  );
}
