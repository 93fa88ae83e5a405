import type { PerformanceByType } from '../../../../shared/contract.ts';
import { EVERY_SERVICE_MOST_MINUTES } from '../../../../shared/views.ts';
import { PERCENTILES_NOTE, RETRIES_NOTE } from '../../../../shared/performanceText.ts';
import { useCall } from '../../lib/calls.ts';
import { useSearchParams } from '../../lib/router.ts';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { Time } from '../../components/Time.tsx';
import { PerformanceTable } from './PerformanceTable.tsx';
import {
  PERFORMANCE_BY_PARAM,
  PERFORMANCE_SERVICE_PARAM,
  PERFORMANCE_WINDOW_PARAM,
  performanceByService,
  performanceRows,
  performanceService,
  performanceWindow,
  serviceChoices,
  serviceRows,
  WINDOW_CHOICES,
  WINDOW_MINUTES,
  windowKept,
  windowWords,
  type PerformanceWindow,
} from './performanceView.ts';

/** A sentence starts with a capital: "The last hour". */
const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** The windows offered; one past the history kept cannot be chosen, and the page says why beside it. */
function WindowChoice({ chosen, history, mostMinutes }: { chosen: PerformanceWindow; history: string | undefined; mostMinutes: number | null }) {
  const [, setParams] = useSearchParams();
  return (
    <div className="segmented" role="group" aria-label="Performance window">
      {WINDOW_CHOICES.map((w) => (
        <button
          key={w}
          type="button"
          aria-pressed={w === chosen}
          disabled={!windowKept(w, history) || (mostMinutes !== null && WINDOW_MINUTES[w] > mostMinutes)}
          onClick={() => setParams((p) => p.set(PERFORMANCE_WINDOW_PARAM, w))}
        >
          {w}
        </button>
      ))}
    </div>
  );
}

/** One service or all of them: the registry's, and any with history in the window. */
function ServiceChoice({ chosen, choices }: { chosen: string | undefined; choices: string[] }) {
  const [, setParams] = useSearchParams();
  return (
    <label className="field">
      <span>Service</span>
      <select
        value={chosen ?? ''}
        onChange={(event) => setParams((p) => (event.target.value ? p.set(PERFORMANCE_SERVICE_PARAM, event.target.value) : p.delete(PERFORMANCE_SERVICE_PARAM)))}
      >
        <option value="">all services</option>
        {choices.map((name) => (
          <option key={name}>{name}</option>
        ))}
      </select>
    </label>
  );
}

/**
 * The table by service, on or off, kept in the address. Off by default: figures per service read the
 * per-minute rows, where the table by type reads summed hours.
 */
function ByServiceToggle({ on }: { on: boolean }) {
  const [, setParams] = useSearchParams();
  return (
    <div className="segmented" role="group" aria-label="Performance rows">
      <button type="button" aria-pressed={!on} onClick={() => setParams((p) => p.delete(PERFORMANCE_BY_PARAM))}>
        By type
      </button>
      <button type="button" aria-pressed={on} onClick={() => setParams((p) => p.set(PERFORMANCE_BY_PARAM, 'service'))}>
        By service
      </button>
    </div>
  );
}

/**
 * The runbooks' "performance by execution type" view for a recent window: per type and in total, what
 * completed and went to the dead letters, the retries, the success rate, p50/p95/p99 of the completed jobs
 * and jobs per minute, from the per-minute rollups (`metrics.byType`, as `opsdeck performance` shows it);
 * for the one service chosen (`opsdeck performance --service`), and per service when that table is turned
 * on (`--by service`).
 */
export function PerformancePage() {
  const [params] = useSearchParams();
  const chosen = performanceWindow(params);
  const service = performanceService(params);
  // Narrowed to one service, a table of services would repeat its one row: the toggle waits until it is cleared.
  const byServiceAsked = service === undefined && performanceByService(params);
  // Every service at once is read for a day at most; a longer window keeps the table by type alone.
  const byService = byServiceAsked && WINDOW_MINUTES[chosen] <= EVERY_SERVICE_MOST_MINUTES;
  const retention = useCall('retention.get', {}, { staleTime: 60_000 });
  const history = retention.data?.retention.history;
  const kept = windowKept(chosen, history);
  // Refreshed as jobs finish (liveUpdates.ts); the interval is the fallback while no event comes.
  const perf = useCall(
    'metrics.byType',
    { since_minutes: WINDOW_MINUTES[chosen], ...(service === undefined ? {} : { service }), ...(byService ? { by: 'service' as const } : {}) },
    { enabled: kept, refetchInterval: 30_000 },
  );
  const registry = useCall('registry.get', {}, { staleTime: 60_000 });
  const choices = serviceChoices(registry.data?.services.map((s) => s.name) ?? [], perf.data, service);
  const words = windowWords(chosen);

  return (
    <div className="page">
      <header className="page-header">
        <h1>Performance</h1>
        <span className="muted small">By execution type, of one service or by service, from the per-minute rollups: the runbooks&apos; v_execution_performance_by_type.</span>
      </header>
      <section className="panel" aria-labelledby="performance-window">
        <header className="panel-header">
          <h2 id="performance-window">{capitalized(words)}</h2>
          <ServiceChoice chosen={service} choices={choices} />
          {service === undefined ? <ByServiceToggle on={byService} /> : null}
          <WindowChoice chosen={chosen} history={history} mostMinutes={byServiceAsked ? EVERY_SERVICE_MOST_MINUTES : null} />
        </header>
        {history !== undefined && !windowKept('30d', history) ? (
          <p className="muted small">Longer windows reach past the per-minute history, kept {history} (the registry&apos;s retention.history).</p>
        ) : null}
        {byServiceAsked && !byService ? (
          <p className="muted small">By service covers at most the last {EVERY_SERVICE_MOST_MINUTES / 60} hours: choose 24h or less, or one service.</p>
        ) : null}
        {!kept ? (
          <Empty title={`${capitalized(words)} reaches past the per-minute history, kept ${history ?? ''}.`}>Choose a shorter window.</Empty>
        ) : perf.isPending ? (
          <Loading label="Loading performance…" />
        ) : perf.isError ? (
          <ErrorState what="performance by execution type" error={perf.error} onRetry={() => void perf.refetch()} />
        ) : (
          <Figures data={perf.data} words={words} service={service} byService={byService} />
        )}
      </section>
    </div>
  );
}

/** The window read, the tables and what their columns count; an empty window says so. */
function Figures({ data, words, service, byService }: { data: PerformanceByType; words: string; service: string | undefined; byService: boolean }) {
  const rows = performanceRows(data);
  const services = serviceRows(data);
  const jobs = service === undefined ? 'jobs' : `jobs of ${service}`;
  return (
    <>
      {/* The window the host read: it starts at a whole minute, so it may be a little longer than asked. */}
      <p className="muted small">
        Read from <Time iso={data.since} /> to <Time iso={data.until} /> (the rollups count whole minutes, so the window starts at one).
      </p>
      {rows.types.length === 0 ? (
        <Empty title={`No ${jobs} finished in ${words}.`} />
      ) : (
        <>
          <PerformanceTable caption={`Performance by execution type${service === undefined ? '' : ` of ${service}`} in ${words}`} by="type" rows={rows.types} total={rows.total} />
          {byService ? <PerformanceTable caption={`Performance by service in ${words}`} by="service" rows={services.services} total={services.total} /> : null}
          <ul className="muted small figure-notes">
            <li>{capitalized(PERCENTILES_NOTE)}.</li>
            <li>{capitalized(RETRIES_NOTE)}; the success rate, completed ÷ (completed + dead-lettered), leaves them out.</li>
          </ul>
        </>
      )}
    </>
  );
}
