import { lazy, Suspense, type ReactNode } from 'react';
import { SeriesWindow } from '../../../../shared/contract.ts';
import { useCall } from '../../lib/calls.ts';
import { useHostStatus } from '../../lib/hostStatus.ts';
import { formatSeconds } from '../../lib/format.ts';
import { useSearchParams } from '../../lib/router.ts';
import { ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { StatTiles } from './StatTiles.tsx';
import { BEHIND_AFTER_S } from './tiles.ts';
import { RecentFailures, useRecentFailures } from './RecentFailures.tsx';
import { StuckRuns } from './StuckRuns.tsx';
import { UndispatchedJobs } from './UndispatchedJobs.tsx';
import { WelcomePanel } from './WelcomePanel.tsx';
import { liveNote } from './liveNote.ts';
import { useTimes } from '../../lib/useTimes.ts';

// The charts (and their charting library, most of the console's code) come after the figures: the tiles do not wait for them.
const charts = () => import('./SeriesCharts.tsx');
const ThroughputChart = lazy(async () => ({ default: (await charts()).ThroughputChart }));
const LatencyChart = lazy(async () => ({ default: (await charts()).LatencyChart }));
const QueueDepthChart = lazy(async () => ({ default: (await charts()).QueueDepthChart }));
const chartLoading = <Loading label="Loading chart…" />;

interface OverviewPageProps {
  /** Dispatch controls for the listed queues, provided by the app so features stay apart. */
  queueControls(queues: string[]): ReactNode;
}

export function OverviewPage({ queueControls }: OverviewPageProps) {
  const times = useTimes();
  const [params, setParams] = useSearchParams();
  const parsedWindow = SeriesWindow.safeParse(params.get('window'));
  const seriesWindow = parsedWindow.success ? parsedWindow.data : '1h';
  // Stats arrive by stats.tick every 2 s; the query is only the first paint and the fallback.
  const stats = useCall('overview.stats', {}, { staleTime: 10_000, refetchInterval: 30_000 });
  const series = useCall('overview.series', { window: seriesWindow }, { refetchInterval: seriesWindow === '1h' ? 15_000 : 60_000 });
  const registry = useCall('registry.get', {}, { staleTime: 60_000 });
  // The same query StuckRuns reads below: one fetch, the tile's count and the banner's list agree.
  const stuckRuns = useCall('workflows.stuck', {}, { refetchInterval: 15_000 });
  // Whether the registry defines any workflow: without one, a tile of stuck runs always 0 is noise.
  const workflows = useCall('workflows.list', {}, { staleTime: 60_000 });
  // Asked now, with the rest, though only its panel below reads it.
  useRecentFailures();
  // The figures stay on screen through an outage (the banner says what is down), but never as live ones.
  const storeDown = useHostStatus((s) => s.storeDown);
  const hostDown = useHostStatus((s) => s.hostDown);

  // Figures once had stay through a failed refetch, however long the outage: the note above them says they
  // are not live. Dropping them at the first refetch that failed (30 s in) left a blank page mid-incident.
  const data = stats.data;
  if (data === undefined) return stats.isError ? <ErrorState what="the overview" error={stats.error} onRetry={() => void stats.refetch()} /> : <Loading label="Loading overview…" />;

  const note = liveNote(data.at, { storeDown: storeDown !== null, hostDown: hostDown !== null, refreshFailed: stats.isError }, times.time);
  const totalJobs = Object.values(data.counts).reduce((sum, n) => sum + n, 0);
  const firstRun = totalJobs === 0 && registry.data !== undefined && registry.data.services.length === 0;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Overview</h1>
        <span className={note.live ? 'muted small' : 'stale small'} aria-live="off">
          {note.text}
        </span>
      </header>
      {firstRun ? <WelcomePanel /> : null}
      <StatTiles
        stats={data}
        stuckRuns={stuckRuns.data ? stuckRuns.data.counts.reduce((sum, c) => sum + c.stuck, 0) : null}
        workflows={workflows.data ? workflows.data.workflows.length : null}
      />
      <UndispatchedJobs />
      <StuckRuns />
      {/* Under the figures, above the charts: in an incident, what fails and how is the first question. */}
      <RecentFailures />
      <div className="grid-2">
        <section className="panel" aria-labelledby="chart-throughput">
          <header className="panel-header">
            <h2 id="chart-throughput">Throughput and failures per minute</h2>
            <div className="segmented" role="group" aria-label="Chart window">
              {SeriesWindow.options.map((w) => (
                <button
                  key={w}
                  type="button"
                  aria-pressed={w === seriesWindow}
                  onClick={() => setParams((p) => p.set('window', w))}
                >
                  {w}
                </button>
              ))}
            </div>
          </header>
          {series.data === undefined ? series.isError ? <ErrorState what="the series" error={series.error} /> : <Loading /> : (
            <Suspense fallback={chartLoading}>
              <ThroughputChart series={series.data} />
            </Suspense>
          )}
        </section>
        <section className="panel" aria-labelledby="chart-latency">
          <header className="panel-header">
            <h2 id="chart-latency">Latency by execution type ({seriesWindow})</h2>
          </header>
          {series.data === undefined ? series.isError ? <ErrorState what="the series" error={series.error} /> : <Loading /> : (
            <Suspense fallback={chartLoading}>
              <LatencyChart series={series.data} />
            </Suspense>
          )}
        </section>
      </div>
      <section className="panel queue-panel" aria-labelledby="chart-queues">
        <header className="panel-header">
          <h2 id="chart-queues">Queue depth by queue</h2>
          {queueControls(data.queues.map((q) => q.queue))}
        </header>
        <div className="queue-depth">
          <Suspense fallback={chartLoading}>
            <QueueDepthChart stats={data} />
          </Suspense>
          {/* Focusable, so the columns past the panel's edge can be scrolled to from the keyboard. */}
          <div className="table-overflow" tabIndex={0} role="region" aria-label="Jobs per queue and status, scrollable">
            <table className="table compact">
              <caption className="sr-only">Jobs per queue and status</caption>
              <thead>
                <tr>
                  <SortedHeader order="ascending">Queue</SortedHeader>
                  <th scope="col" className="num">Pending</th>
                  <th scope="col" className="num">
                    <abbr title="How long the queue's oldest due pending job has waited">Oldest due</abbr>
                  </th>
                  <th scope="col" className="num">Running</th>
                  <th scope="col" className="num">Completed</th>
                  {/* The dead letters still open, as the chart beside it draws them: not every failed job the store still keeps. */}
                  <th scope="col" className="num">
                    <abbr title="Failed jobs in the dead-letter queue, not yet retried or resolved">Open dead letters</abbr>
                  </th>
                  <th scope="col" className="num">Cancelled</th>
                  <th scope="col" className="num">Waiting</th>
                  <th scope="col" className="num">Blocked</th>
                </tr>
              </thead>
              <tbody>
                {data.queues.map((q) => {
                  // A paused queue's due jobs wait because an operator holds them: it is not behind.
                  const behind = !q.paused && (q.oldest_due_age_s ?? 0) > BEHIND_AFTER_S;
                  return (
                    <tr key={q.queue} className={behind ? 'row-warn' : undefined}>
                      <th scope="row" className="mono">
                        <a href={`#/jobs?queue=${encodeURIComponent(q.queue)}`}>{q.queue}</a>
                        {q.paused ? <span className="badge badge-warn">paused</span> : null}
                      </th>
                      <td className="num">{q.pending.toLocaleString()}</td>
                      <td className="num">
                        {data.queue_ages_read || q.pending === 0 ? formatSeconds(q.oldest_due_age_s) : 'not read'}
                        {behind ? (
                          <>
                            <span className="cell-flag" aria-hidden="true">
                              !
                            </span>
                            <span className="sr-only"> (behind)</span>
                          </>
                        ) : null}
                      </td>
                      <td className="num">{q.running.toLocaleString()}</td>
                      <td className="num">{q.completed.toLocaleString()}</td>
                      <td className="num">{q.dead_letters.toLocaleString()}</td>
                      <td className="num">{q.cancelled.toLocaleString()}</td>
                      <td className="num">{q.waiting.toLocaleString()}</td>
                      <td className="num">{q.blocked.toLocaleString()}</td>
                    </tr>
                  );
                })}
                {data.queues.length === 0 ? (
                  <tr>
                    <td colSpan={9} className="muted">
                      No queues yet.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
            {data.queue_ages_read ? null : (
              <p className="muted">Oldest due not read per queue: too many queues, services and priorities hold pending jobs to read it every two seconds.</p>
            )}
          </div>
        </div>
      </section>
    </div>
  );
}
