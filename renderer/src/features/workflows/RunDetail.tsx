import { useQueryClient } from '@tanstack/react-query';
import { callKey, useAction, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { formatAgo } from '../../lib/format.ts';
import { notify } from '../../lib/notices.ts';
import { useNow } from '../../lib/useNow.ts';
import { Badge, StatusBadge } from '../../components/StatusBadge.tsx';
import { ErrorState, Loading } from '../../components/States.tsx';
import { RunGraph } from './RunGraph.tsx';
import { RunTasks } from './RunTasks.tsx';
import { retryable, taskSummary } from './runView.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import { heldBySentences } from '../../../../shared/heldText.ts';
import { CONSOLE_RESET } from '../../../../shared/breakerRecord.ts';

/** One run: its graph, its tasks in text, and the operator's two actions on it. */
export function RunDetail({ runRef, onClose }: { runRef: number | string; onClose(): void }) {
  const times = useTimes();
  const queryClient = useQueryClient();
  const now = useNow();
  const detail = useCall('workflows.show', { run: runRef }, { refetchInterval: 5000 });
  const retry = useAction('workflows.retry');
  const cancel = useAction('workflows.cancel');

  if (detail.isPending) return <Loading label="Loading the run…" />;
  if (detail.isError) return <ErrorState what={`run ${runRef}`} error={detail.error} onRetry={() => void detail.refetch()} />;
  const { run, tasks } = detail.data;
  const failed = retryable(tasks);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: callKey('workflows.show', { run: runRef }) });
    void queryClient.invalidateQueries({ queryKey: ['workflows.runs'] });
    void queryClient.invalidateQueries({ queryKey: ['workflows.stuck'] });
  };

  return (
    <section className="panel" aria-labelledby="wf-run-title">
      <header className="panel-header">
        <h2 id="wf-run-title">
          Run {run.id} of <span className="mono">{run.workflow}</span>
        </h2>
        <StatusBadge status={run.status} />
        {run.stuck ? (
          <Badge tone="warn" title="No task progressed for longer than the workflow's stuck_after">
            stuck
          </Badge>
        ) : null}
        <div className="wf-actions">
          <button
            type="button"
            className="button-primary"
            disabled={failed.length === 0 || retry.isPending}
            title={failed.length === 0 ? 'No failed or cancelled task to retry' : `Runs ${failed.join(', ')} again; what they blocked follows`}
            onClick={() =>
              retry.mutate(
                { run: run.id },
                {
                  onSuccess: (result) => {
                    // Held, the run goes on from there only once what holds it is lifted: said, or it reads as running.
                    const held = heldBySentences(result, result.retried.length, CONSOLE_RESET);
                    notify(held ? 'info' : 'ok', `Run ${run.id}: retried ${failed.join(', ')} (${result.retried.length} task(s)); the run goes on from there${held ? ' once released' : ''}.${held}`);
                    refresh();
                  },
                  onError: (error) => notify('bad', errorMessage(error)),
                },
              )
            }
          >
            {failed.length > 0 ? `Retry from ${failed.join(', ')}` : 'Retry failed tasks'}
          </button>
          <button
            type="button"
            className="button-danger-outline"
            disabled={run.status !== 'running' || cancel.isPending}
            onClick={() =>
              cancel.mutate(
                { run: run.id, reason: 'cancelled from the console' },
                {
                  onSuccess: (result) => {
                    notify('info', result.note !== null ? `${withTimes(result.note, times.time)}.` : `Run ${run.id} cancelled: ${result.cancelled} task(s) that had not started, ${result.stopping} asked to stop.`);
                    refresh();
                  },
                  onError: (error) => notify('bad', errorMessage(error)),
                },
              )
            }
          >
            Cancel run
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </header>
      <p className="muted small">
        <span className="mono">{run.identifier}</span> · started {times.time(run.created_at)} by {run.created_by} · last progress {formatAgo(run.updated_at, now)}
        {run.finished_at ? ` · finished ${times.time(run.finished_at)}` : ''} · {taskSummary(run.tasks)}
      </p>
      <RunGraph tasks={tasks} label={`Run ${run.id} of ${run.workflow} as a graph: ${tasks.map((t) => `${t.name} ${t.status}`).join(', ')}. The table below lists each task.`} />
      <RunTasks run={run} tasks={tasks} caption={`Tasks of run ${run.id}`} />
    </section>
  );
}
