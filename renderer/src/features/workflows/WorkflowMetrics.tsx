import { useCall } from '../../lib/calls.ts';
import { useSearchParams } from '../../lib/router.ts';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { METRICS_WINDOW_PARAM, METRICS_WINDOWS, metricsRows, metricsWindow, type MetricsWindow } from './workflowMetricsView.ts';

/**
 * The runbooks' workflow metrics: per workflow, the runs started in a window, how they ended (or that
 * they still run) and how long the completed ones took (`workflows.stats`, as `opsdeck workflow stats`).
 */
export function WorkflowMetrics() {
  const [params, setParams] = useSearchParams();
  const chosen = metricsWindow(params);
  const stats = useCall('workflows.stats', { since_minutes: METRICS_WINDOWS[chosen] }, { refetchInterval: 30_000 });
  return (
    <section className="panel" aria-labelledby="wf-metrics">
      <header className="panel-header">
        <h2 id="wf-metrics">Metrics</h2>
        <div className="segmented" role="group" aria-label="Metrics window">
          {(Object.keys(METRICS_WINDOWS) as MetricsWindow[]).map((w) => (
            <button key={w} type="button" aria-pressed={w === chosen} onClick={() => setParams((p) => p.set(METRICS_WINDOW_PARAM, w))}>
              {w}
            </button>
          ))}
        </div>
      </header>
      {stats.isPending ? (
        <Loading label="Loading workflow metrics…" />
      ) : stats.isError ? (
        <ErrorState what="the workflow metrics" error={stats.error} onRetry={() => void stats.refetch()} />
      ) : stats.data.workflows.length === 0 ? (
        <Empty title={`No workflow runs started in the last ${chosen}.`} />
      ) : (
        <>
          <div className="table-overflow" tabIndex={0} role="region" aria-label="Workflow metrics, scrollable">
            <table className="table">
              <caption className="sr-only">{`Workflow runs started in the last ${chosen}`}</caption>
              <thead>
                <tr>
                  <th scope="col">Workflow</th>
                  <th scope="col" className="num">Runs</th>
                  <th scope="col" className="num">Succeeded</th>
                  <th scope="col" className="num">Failed</th>
                  <th scope="col" className="num">Cancelled</th>
                  <th scope="col" className="num">Running</th>
                  <th scope="col" className="num">
                    <abbr title="Median duration of completed runs, start to finish">p50</abbr>
                  </th>
                  <th scope="col" className="num">
                    <abbr title="95th percentile duration of completed runs, start to finish">p95</abbr>
                  </th>
                </tr>
              </thead>
              <tbody>
                {metricsRows(stats.data).map((row) => (
                  <tr key={row.workflow}>
                    <th scope="row" className="mono">
                      {row.workflow}
                    </th>
                    <td className="num">{row.cells.runs}</td>
                    <td className="num">{row.cells.succeeded}</td>
                    <td className="num">{row.cells.failed}</td>
                    <td className="num">{row.cells.cancelled}</td>
                    <td className="num">{row.cells.running}</td>
                    <td className="num">{row.cells.p50}</td>
                    <td className="num">{row.cells.p95}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">Runs started in the window, each in the status it has now; p50 and p95 are of completed runs, start to finish, to within about 19%.</p>
        </>
      )}
    </section>
  );
}
