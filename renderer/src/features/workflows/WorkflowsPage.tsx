import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { WorkflowRunStatus } from '../../../../shared/workflow.ts';
import { useAction, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { useClient } from '../../lib/clientContext.ts';
import { formatAgo } from '../../lib/format.ts';
import { jobListRefetch, MAX_LIVE_JOB_PAGES } from '../../lib/liveUpdates.ts';
import { notify } from '../../lib/notices.ts';
import { useSearchParams } from '../../lib/router.ts';
import { useNow } from '../../lib/useNow.ts';
import { Badge, StatusBadge } from '../../components/StatusBadge.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { RunDetail } from './RunDetail.tsx';
import { WorkflowMetrics } from './WorkflowMetrics.tsx';
import { emptyRunsText, taskSummary } from './runView.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { heldBySentences } from '../../../../shared/heldText.ts';
import { CONSOLE_RESET } from '../../../../shared/breakerRecord.ts';

function WorkflowList({ onStarted }: { onStarted(runId: number): void }) {
  const queryClient = useQueryClient();
  const list = useCall('workflows.list', {}, { staleTime: 60_000 });
  const start = useAction('workflows.run');
  if (list.isPending) return <Loading label="Loading workflows…" />;
  if (list.isError) return <ErrorState what="the workflows" error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.workflows.length === 0) {
    return <Empty title="No workflows in the registry">Add a <code>workflows:</code> list to the registry: tasks, each a service, with <code>depends_on</code>.</Empty>;
  }
  return (
    <ul className="wf-list">
      {list.data.workflows.map((w) => (
        <li key={w.name} className="wf-list-item">
          <div>
            <strong className="mono">{w.name}</strong>
            {w.description ? <span className="muted"> — {w.description}</span> : null}
            <div className="muted small">
              {w.tasks.map((t) => (t.depends_on.length > 0 ? `${t.name} (after ${t.depends_on.join(', ')})` : t.name)).join(' → ')} · stuck after {w.stuck_after}
            </div>
          </div>
          <button
            type="button"
            className="button-primary"
            disabled={start.isPending}
            aria-label={`Run workflow ${w.name}`}
            onClick={() =>
              start.mutate(
                { workflow: w.name },
                {
                  onSuccess: (started) => {
                    const held = heldBySentences(started, w.tasks.length, CONSOLE_RESET);
                    notify(held ? 'info' : 'ok', `Started run ${started.run_id} of ${w.name}.${held}`);
                    void queryClient.invalidateQueries({ queryKey: ['workflows.runs'] });
                    onStarted(started.run_id);
                  },
                  onError: (error) => notify('bad', errorMessage(error)),
                },
              )
            }
          >
            Run
          </button>
        </li>
      ))}
    </ul>
  );
}

/** The run the page shows: its number, or its identifier (a job's drawer links to its run that way). */
function runRefOf(text: string | null): number | string | null {
  if (text === null || text === '') return null;
  const n = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(n) && n > 0 ? n : text.slice(0, 200);
}

export function WorkflowsPage() {
  const times = useTimes();
  const [params, setParams] = useSearchParams();
  const now = useNow();
  const parsedStatus = WorkflowRunStatus.safeParse(params.get('status'));
  const status = parsedStatus.success ? parsedStatus.data : undefined;
  const openRun = runRefOf(params.get('run'));
  const client = useClient();
  // Paged as the CLI's more: line is: past the newest 50, an older failed run is one click away, not gone.
  const runs = useInfiniteQuery({
    queryKey: ['workflows.runs', status ? { status } : {}],
    queryFn: ({ pageParam }) => client.call('workflows.runs', { ...(status ? { status } : {}), limit: 50, after: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // Every loaded page is fetched again in turn: a deep list waits for the operator's refresh instead, and
    // is stale only once runs changed (the live updates mark it so), as the jobs table is. Coming back to
    // the page fetches a short list at once, as a page opened fresh does; a deep one keeps its refresh.
    staleTime: Infinity,
    refetchOnMount: (query) => (jobListRefetch(query.state.data?.pages.length ?? 0) === 'active' ? 'always' : false),
    refetchInterval: (query) => (jobListRefetch(query.state.data?.pages.length ?? 0) === 'active' ? 5000 : false),
  });
  const workflows = useCall('workflows.list', {}, { staleTime: 60_000 });
  const empty = emptyRunsText(workflows.data?.workflows.length ?? null, status);
  const staleDeep = runs.isStale && (runs.data?.pages.length ?? 0) > MAX_LIVE_JOB_PAGES && !runs.isFetching;
  const runList = runs.data?.pages.flatMap((p) => p.runs) ?? [];
  const showRun = (id: number | null) => setParams((p) => (id === null ? p.delete('run') : p.set('run', String(id))), true);

  return (
    <div className="page">
      <header className="page-header">
        <h1>Workflows</h1>
        <span className="muted small">Runs of the registry's workflows: each task a job, released when what it depends on completed.</span>
      </header>
      <section className="panel" aria-labelledby="wf-defs">
        <header className="panel-header">
          <h2 id="wf-defs">Workflows</h2>
        </header>
        <WorkflowList onStarted={(id) => showRun(id)} />
      </section>
      <WorkflowMetrics />
      {openRun !== null ? <RunDetail key={String(openRun)} runRef={openRun} onClose={() => showRun(null)} /> : null}
      <section className="panel" aria-labelledby="wf-runs">
        <header className="panel-header">
          <h2 id="wf-runs">Runs</h2>
          <label className="field field-inline">
            <span>State</span>
            <select value={status ?? ''} onChange={(event) => setParams((p) => (event.target.value ? p.set('status', event.target.value) : p.delete('status')))}>
              <option value="">any</option>
              {WorkflowRunStatus.options.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
        </header>
        {runs.isPending ? (
          <Loading label="Loading runs…" />
        ) : runs.isError ? (
          <ErrorState what="the runs" error={runs.error} onRetry={() => void runs.refetch()} />
        ) : runList.length === 0 ? (
          <Empty title={empty.title}>{empty.detail}</Empty>
        ) : (
          <table className="table">
            <caption className="sr-only">Workflow runs, newest first</caption>
            <thead>
              <tr>
                <SortedHeader order="descending">Run</SortedHeader>
                <th scope="col">Workflow</th>
                <th scope="col">State</th>
                <th scope="col">Tasks</th>
                <th scope="col">Started</th>
                <th scope="col">Last progress</th>
              </tr>
            </thead>
            <tbody>
              {runList.map((run) => (
                <tr key={run.id} className={run.id === openRun || run.identifier === openRun ? 'is-selected' : run.status === 'failed' ? 'row-bad' : run.stuck ? 'row-warn' : undefined}>
                  <th scope="row">
                    <button type="button" className="link-button" onClick={() => showRun(run.id)} aria-label={`Show run ${run.id} of ${run.workflow}`}>
                      {run.id}
                    </button>
                  </th>
                  <td className="mono">{run.workflow}</td>
                  <td>
                    <StatusBadge status={run.status} />
                    {run.stuck ? <Badge tone="warn">stuck</Badge> : null}
                  </td>
                  <td>{taskSummary(run.tasks)}</td>
                  <td>{times.time(run.created_at)}</td>
                  <td>{formatAgo(run.updated_at, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {staleDeep ? (
          <button type="button" className="button-small" onClick={() => void runs.refetch()}>
            Runs changed: refresh
          </button>
        ) : null}
        {runs.hasNextPage ? (
          <button type="button" disabled={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()}>
            {runs.isFetchingNextPage ? 'Loading…' : 'Load older runs'}
          </button>
        ) : null}
      </section>
    </div>
  );
}
