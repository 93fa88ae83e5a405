import { useCall } from '../../lib/calls.ts';
import { formatAgo } from '../../lib/format.ts';
import { routeHref } from '../../lib/router.ts';
import { useNow } from '../../lib/useNow.ts';

/**
 * Workflow runs still running with no task progress for longer than their workflow's stuck_after: shown
 * on the overview only when there are some, each linking to its graph on the Workflows page.
 */
export function StuckRuns() {
  const now = useNow();
  const stuck = useCall('workflows.stuck', {}, { refetchInterval: 15_000 });
  const runs = stuck.data?.runs ?? [];
  if (runs.length === 0) return null;
  return (
    <section className="panel panel-warn" aria-labelledby="stuck-runs" aria-live="polite">
      <header className="panel-header">
        <h2 id="stuck-runs">
          {runs.length === 1 ? '1 workflow run is stuck' : `${runs.length} workflow runs are stuck`}: no task progressed for longer than its workflow allows
        </h2>
      </header>
      <ul>
        {runs.map((run) => (
          <li key={run.id}>
            <a href={routeHref('/workflows', { run: String(run.id) })}>
              Run {run.id} of {run.workflow}
            </a>{' '}
            <span className="muted">— last progress {formatAgo(run.updated_at, now)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
