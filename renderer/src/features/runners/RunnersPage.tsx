import { withTimes } from '../../../../shared/timesInText.ts';
import type { WorkerView } from '../../../../shared/views.ts';
import { shortDigest } from '../../../../shared/workerRegistry.ts';
import { useCall } from '../../lib/calls.ts';
import { ageSeconds, formatSeconds } from '../../lib/format.ts';
import { routeHref } from '../../lib/router.ts';
import { useNow } from '../../lib/useNow.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { Badge, StatusBadge } from '../../components/StatusBadge.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { Time } from '../../components/Time.tsx';
import { DiagnosticsPanel } from './DiagnosticsPanel.tsx';
import { lackLine } from '../../../../shared/cannotRunText.ts';
import { unservedByReason } from '../../../../shared/unservedText.ts';
import { CannotRunCell } from './CannotRunCell.tsx';
import { ForgetWorker } from './ForgetWorker.tsx';
import { cpuCell } from './workerCpu.ts';
import { memoryCell } from './workerMemory.ts';
import { poolCell } from './workerPool.ts';
import { heldNote, lostNote, stateTitle } from './workerState.ts';
import { reconnectingLine } from '../../../../shared/reconnectingText.ts';

/** How often the workers are read while some may be reconnecting after a store outage: each shows as back at its first heartbeat. */
const RECONNECT_POLL_MS = 2000;

function RunnersTable() {
  const runners = useCall('runners.list', {}, { refetchInterval: 30_000 });
  if (runners.isPending) return <Loading label="Probing runners…" />;
  if (runners.isError) return <ErrorState what="runners" error={runners.error} onRetry={() => void runners.refetch()} />;
  if (runners.data.runners.length === 0) return <Empty title="No runner kinds in use.">Load a service registry to see its runners.</Empty>;
  const unserved = runners.data.unserved;
  return (
    <>
      {unserved.length > 0 ? (
        // A healthy runner runs nothing for a service no live worker takes: `opsdeck runners` says the same.
        <div className="callout callout-warn" role="status" aria-label="Services no live worker runs">
          <p>No live worker runs these services:</p>
          <ul>
            {unservedByReason(unserved).map((group) => (
              <li key={group.reason}>
                {group.services.map((u, i) => (
                  <span key={u.service}>
                    {i > 0 ? ', ' : null}
                    <span className="mono">{u.service}</span> (queue <span className="mono">{u.queue}</span>)
                  </span>
                ))}
                : {group.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <table className="table">
        <caption className="sr-only">Runner kinds</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col">Health</th>
            <th scope="col">Detail</th>
            <th scope="col" className="num">In flight</th>
            <th scope="col">Services</th>
            <th scope="col">Checked</th>
          </tr>
        </thead>
        <tbody>
          {runners.data.runners.map((runner) => (
            <tr key={runner.kind} className={runner.healthy ? undefined : 'row-bad'}>
              <th scope="row" className="mono">
                {runner.kind}
              </th>
              <td>
                {runner.healthy ? <Badge tone={runner.warning ? 'warn' : 'ok'}>{runner.warning ? 'warn' : 'ok'}</Badge> : <Badge tone="bad">fail</Badge>}
              </td>
              <td className="mono wrap">
                {runner.detail}
                {runner.lacking.map((w) => (
                  // The probe is this process's; the workers that run the jobs each say what they lack.
                  <div key={w.worker_id} className="text-bad">
                    on worker {w.worker_id}: {w.services.map(lackLine).join('; ')}
                  </div>
                ))}
              </td>
              <td className="num">{runner.in_flight}</td>
              <td className="mono wrap">{runner.services.join(', ') || '—'}</td>
              <td className="nowrap"><Time iso={runner.checked_at} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * The registry a worker runs: its digest's start and when it loaded it; the file and whole digest on hover.
 * `drift`: it is not the file this host reads now, marked, with what to do on hover (health-check's words).
 */
function RegistryCell({ worker, drift }: { worker: WorkerView; drift: string | undefined }) {
  const registry = worker.registry;
  if (registry === null) return <td className="small"><span className="muted" title="A worker of an older version does not say">not said</span></td>;
  return (
    <td className="nowrap" title={`sha256 ${registry.digest}${registry.path === null ? '' : ` of ${registry.path}`}`}>
      <span className="mono">{shortDigest(registry.digest)}</span> <span className="muted small">loaded <Time iso={registry.loaded_at} /></span>
      {drift === undefined ? null : (
        <>
          {' '}
          <Badge tone="warn" title={drift}>
            not the file
          </Badge>
        </>
      )}
    </td>
  );
}

function MemoryCell({ worker }: { worker: WorkerView }) {
  const memory = memoryCell(worker);
  return (
    <td className="num nowrap" title={memory.title}>
      <span className={memory.dim ? 'muted' : undefined}>{memory.rss}</span>
      {memory.detail === null ? null : <span className="muted small"> {memory.detail}</span>}
    </td>
  );
}

function CpuCell({ worker }: { worker: WorkerView }) {
  const cpu = cpuCell(worker);
  return (
    <td className="num nowrap" title={cpu.title}>
      <span className={cpu.dim ? 'muted' : undefined}>{cpu.text}</span>
    </td>
  );
}

/** Why a worker's jobs in flight are not known, when they are not. */
function inFlightTitle(worker: WorkerView): string | undefined {
  if (worker.state === 'reconnecting') return 'Not known until its first heartbeat since the store answered again';
  return worker.in_flight === null ? 'A lost worker reports nothing: its jobs still leased show as stuck on the Jobs page' : undefined;
}

function PoolCell({ worker }: { worker: WorkerView }) {
  const pool = poolCell(worker);
  return (
    <td className="num nowrap" title={pool.title}>
      <span className={pool.dim ? 'muted' : undefined}>{pool.text}</span>
      {pool.exhausted ? (
        <>
          {' '}
          <Badge tone="warn">exhausted</Badge>
        </>
      ) : null}
    </td>
  );
}

function WorkersTable() {
  const workers = useCall('workers.list', {}, { refetchInterval: (query) => (query.state.data?.store_outage ? RECONNECT_POLL_MS : 15_000) });
  // What holds a held worker; stats ticks and control events keep it current.
  const control = useCall('control.get', {}, { staleTime: 30_000 });
  const now = useNow();
  const times = useTimes();
  if (workers.isPending) return <Loading label="Loading workers…" />;
  if (workers.isError) return <ErrorState what="workers" error={workers.error} onRetry={() => void workers.refetch()} />;
  if (workers.data.workers.length === 0) return <Empty title="No workers registered.">Start one with <code>opsdeck worker</code>, or turn on local execution in Settings.</Empty>;
  const lost = lostNote(workers.data.workers, workers.data.lost_leases, now);
  const held = heldNote(workers.data.workers, control.data);
  const reconnecting = workers.data.workers.filter((w) => w.state === 'reconnecting').length;
  const outage = workers.data.store_outage;
  // A Name column once some worker has one (opsdeck worker --name).
  const named = workers.data.workers.some((w) => w.name !== null);
  // A Pool column once some worker reports one: only a worker on PostgreSQL has a pool.
  const pooled = workers.data.workers.some((w) => w.pool !== null);
  return (
    <>
      {held === null ? null : (
        <p className="callout" role="status">
          {held}
        </p>
      )}
      {reconnecting > 0 && outage !== null ? (
        <p className="callout" role="status">
          {withTimes(reconnectingLine(reconnecting, outage), times.time)}
        </p>
      ) : null}
      {lost.length > 0 ? (
        <div className="callout callout-bad" role="alert">
          {lost.map((line) => (
            <p key={line}>{withTimes(line, times.time)}</p>
          ))}
          {workers.data.lost_leases.length > 0 ? <a href={routeHref('/jobs', { stuck: '1' })}>Stuck jobs</a> : null}
        </div>
      ) : null}
      <table className="table">
        <caption className="sr-only">Workers</caption>
        <thead>
          <tr>
            <th scope="col">Worker</th>
            {named ? <th scope="col">Name</th> : null}
            <th scope="col">Host</th>
            <th scope="col">State</th>
            <th scope="col" className="num">Concurrency</th>
            <th scope="col" className="num">In flight</th>
            <th scope="col" className="num">RSS</th>
            <th scope="col" className="num">CPU</th>
            {pooled ? <th scope="col" className="num">Pool</th> : null}
            <th scope="col">Queues</th>
            <th scope="col">Services</th>
            <th scope="col">Cannot run</th>
            <th scope="col">Registry</th>
            <th scope="col">Heartbeat</th>
            <th scope="col">Version</th>
            <SortedHeader order="descending">Started</SortedHeader>
          </tr>
        </thead>
        <tbody>
          {workers.data.workers.map((worker) => (
            <tr key={worker.id} className={worker.lost ? 'row-bad' : undefined}>
              <th scope="row" className="mono">
                {worker.id}
              </th>
              {named ? <td className="mono">{worker.name ?? <span className="muted">-</span>}</td> : null}
              <td className="mono">
                {worker.host} <span className="muted">pid {worker.pid}</span>
              </td>
              <td className="nowrap">
                {worker.lost ? (
                  <>
                    <Badge tone="bad">lost</Badge> <ForgetWorker id={worker.id} onForgotten={() => void workers.refetch()} />
                  </>
                ) : (
                  <StatusBadge status={worker.state} title={stateTitle(worker.state, control.data)} />
                )}
              </td>
              <td className="num">{worker.concurrency}</td>
              <td className="num" title={inFlightTitle(worker)}>
                {worker.in_flight === null ? <span className="muted">-</span> : worker.in_flight}
              </td>
              <MemoryCell worker={worker} />
              <CpuCell worker={worker} />
              {pooled ? <PoolCell worker={worker} /> : null}
              <td className="mono">{worker.queues?.join(', ') ?? 'all'}</td>
              <td className="small" title={worker.services?.join(', ')}>
                {worker.services === null ? <span className="muted">not said</span> : `${worker.services.length} in its registry`}
              </td>
              <CannotRunCell worker={worker} />
              <RegistryCell worker={worker} drift={workers.data.registry_drift.find((d) => d.worker_id === worker.id)?.detail} />
              <td className={worker.lost ? 'text-bad nowrap' : 'nowrap'}>{formatSeconds(ageSeconds(worker.last_heartbeat_at, now))} ago</td>
              <td className="mono">{worker.version}</td>
              <td className="nowrap"><Time iso={worker.started_at} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function RunnersPage() {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Runners and workers</h1>
      </header>
      <section className="panel" aria-labelledby="runners-title">
        <header className="panel-header">
          <h2 id="runners-title">Runner kinds</h2>
        </header>
        <RunnersTable />
      </section>
      <section className="panel" aria-labelledby="workers-title">
        <header className="panel-header">
          <h2 id="workers-title">Workers</h2>
        </header>
        <WorkersTable />
      </section>
      <DiagnosticsPanel />
    </div>
  );
}
