import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Attempt, Job } from '../../../../shared/domain.ts';
import type { JobCancelled } from '../../../../shared/views.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import { heldBySentences } from '../../../../shared/heldText.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { Badge, StatusBadge } from '../../components/StatusBadge.tsx';
import { ErrorState, Loading } from '../../components/States.tsx';
import { callKey, useAction, useCall } from '../../lib/calls.ts';
import { CallError, errorMessage } from '../../lib/callError.ts';
import { attemptDuration, runningFor } from './jobTiming.ts';
import { FailJobDialog } from './FailJobDialog.tsx';
import { Time } from '../../components/Time.tsx';
import { workflowTaskOf } from './workflowTask.ts';
import { routeHref } from '../../lib/router.ts';
import { notify } from '../../lib/notices.ts';
import { WaitingReason } from './WaitingReason.tsx';
import { LostHolder } from './LostHolder.tsx';
import { errorIsEarlier } from '../../../../shared/jobError.ts';
import { attemptsText } from '../../../../shared/attemptsText.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { useNow } from '../../lib/useNow.ts';
import { noJobText, type JobRef } from './jobRef.ts';
import { PayloadView } from './PayloadView.tsx';
import { CONSOLE_RESET } from '../../../../shared/breakerRecord.ts';

/** Ticks each second, alone, so the rest of the drawer (a large payload) is not drawn again with it. */
function RunningFor({ job }: { job: Job }) {
  return <>{runningFor(job, useNow())}</>;
}
function Timeline({ attempts }: { attempts: Attempt[] }) {
  const times = useTimes();
  if (attempts.length === 0) return <p className="muted">No attempt yet: the job has not been dispatched.</p>;
  return (
    <ol className="timeline" aria-label="Attempts">
      {attempts.map((attempt, i) => (
        <li key={attempt.id} className={`timeline-item timeline-${attempt.outcome}`}>
          <div className="timeline-head">
            <strong>Attempt {attempt.attempt}</strong>
            <StatusBadge status={attempt.outcome} />
            <span className="muted small">
              <Time iso={attempt.started_at} /> · {attemptDuration(attempt)} · worker <span className="mono">{attempt.worker_id}</span>
            </span>
          </div>
          {attempt.error_message ? (
            <pre className="code code-error" title={attempt.error_message}>
              {attempt.error_class ? `[${attempt.error_class}] ` : ''}
              {times.inText(attempt.error_message)}
            </pre>
          ) : null}
          {attempt.output_tail ? (
            // The latest attempt's output is usually the reason the operator opened the job.
            <details open={i === attempts.length - 1}>
              <summary>Output tail</summary>
              <pre className="code">{attempt.output_tail}</pre>
            </details>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function Facts({ job, attempts }: { job: Job; attempts: Attempt[] }) {
  const rows: Array<[string, React.ReactNode]> = [
    ['Identifier', <span className="mono">{job.identifier}</span>],
    ['Service', <span className="mono">{job.service_name}</span>],
    ['Type', job.execution_type],
    ['Queue', <span className="mono">{job.queue}</span>],
    ['Attempts', attemptsText(job, attempts)],
    ['Priority', job.priority],
    ['Created', <Time iso={job.created_at} />],
    ['Run at', <Time iso={job.run_at} />],
    ['Started', <Time iso={job.started_at} />],
    ['Finished', job.status === 'running' ? <>not yet: <RunningFor job={job} /></> : <Time iso={job.completed_at} />],
    ['Lease', job.lease_owner ? <span className="mono">{job.lease_owner} until <Time iso={job.lease_expires_at} /></span> : '—'],
  ];
  if (job.resolved_at) rows.push(['Resolved', <><Time iso={job.resolved_at} />: {job.resolution ?? ''}</>]);
  const task = workflowTaskOf(job.payload);
  if (task) {
    rows.push([
      'Workflow',
      <a href={routeHref('/workflows', { run: task.run })}>
        task {task.task} of run {task.run}
      </a>,
    ]);
  }
  return (
    <dl className="facts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function JobDrawer({ id, onClose }: { id: JobRef; onClose(): void }) {
  const times = useTimes();
  const queryClient = useQueryClient();
  const trace = useCall('jobs.get', { id }, { refetchInterval: (query) => (query.state.data?.job.status === 'running' ? 3000 : false) });
  const retry = useAction('jobs.retry');
  const cancel = useAction('jobs.cancel');
  const [failing, setFailing] = useState(false);

  /** `held`: what holds a job sent back to pending, said after it (heldBySentences), or ''. */
  function afterAction(job: Job, verb: string, held = ''): void {
    void queryClient.invalidateQueries({ queryKey: callKey('jobs.get', { id }) });
    void queryClient.invalidateQueries({ queryKey: ['jobs.list'] });
    notify(held ? 'info' : 'ok', `Job ${job.identifier} ${verb}.${held}`);
  }

  // A stop already asked for is not asked again: say who asked and when, not "asked to stop".
  function afterCancel(result: JobCancelled): void {
    if (result.note === null) afterAction(result, result.status === 'cancelled' ? 'cancelled' : 'asked to stop');
    else notify('info', `Job ${result.identifier}: ${withTimes(result.note, times.time)}.`);
  }

  const job = trace.data?.job;
  const title = job ? (
    <>
      Job <span className="mono">{job.identifier}</span>
    </>
  ) : (
    `Job ${id}`
  );

  return (
    <Dialog
      title={title}
      variant="drawer"
      onClose={onClose}
      footer={
        job ? (
          <>
            <button
              type="button"
              className="button-primary"
              disabled={retry.isPending || !(job.status === 'failed' || job.status === 'cancelled')}
              onClick={() => retry.mutate({ id: job.id }, { onSuccess: (j) => afterAction(j, 'sent back to pending', heldBySentences(j, 1, CONSOLE_RESET)), onError: (e) => notify('bad', errorMessage(e)) })}
            >
              Retry
            </button>
            <button
              type="button"
              className="button-danger-outline"
              disabled={cancel.isPending || !(job.status === 'pending' || job.status === 'running')}
              onClick={() => cancel.mutate({ id: job.id }, { onSuccess: afterCancel, onError: (e) => notify('bad', errorMessage(e)) })}
            >
              Cancel job
            </button>
            {job.status === 'running' ? (
              <button type="button" className="button-danger-outline" onClick={() => setFailing(true)}>
                Fail now
              </button>
            ) : null}
          </>
        ) : null
      }
    >
      {trace.isPending ? (
        <Loading label="Loading job…" />
      ) : trace.isError ? (
        trace.error instanceof CallError && trace.error.code === 'not_found' ? (
          <p className="callout callout-warn" role="alert">
            {noJobText(id)}
          </p>
        ) : (
          <ErrorState what={`job ${id}`} error={trace.error} onRetry={() => void trace.refetch()} />
        )
      ) : (
        <div className="drawer-content">
          <div className="drawer-status">
            <StatusBadge status={trace.data.job.status} />
            {trace.data.stuck ? <Badge tone="warn">stuck: lease expired</Badge> : null}
            {trace.data.job.cancel_requested ? <Badge tone="warn">cancel requested</Badge> : null}
            <span className="muted mono small">#{trace.data.job.id}</span>
          </div>
          {trace.data.job.status === 'pending' ? <WaitingReason jobId={trace.data.job.id} /> : null}
          {trace.data.job.status === 'running' && trace.data.job.lease_owner !== null ? <LostHolder job={trace.data.job} /> : null}
          <Facts job={trace.data.job} attempts={trace.data.attempts} />
          {trace.data.job.error_message ? (
            <section>
              <h3>{errorIsEarlier(trace.data.job.status) ? 'Earlier error (an attempt before the one that completed)' : 'Error'}</h3>
              <pre className={errorIsEarlier(trace.data.job.status) ? 'code' : 'code code-error'} title={trace.data.job.error_message}>
                {times.inText(trace.data.job.error_message)}
              </pre>
              {trace.data.job.error_fingerprint ? <p className="muted small mono">fingerprint {trace.data.job.error_fingerprint}</p> : null}
            </section>
          ) : null}
          <section>
            <h3>Attempts</h3>
            <Timeline attempts={trace.data.attempts} />
          </section>
          <PayloadView payload={trace.data.job.payload} />
          {trace.data.job.resource_usage ? (
            <section>
              <h3>Resource usage</h3>
              <pre className="code">{JSON.stringify(trace.data.job.resource_usage, null, 2)}</pre>
            </section>
          ) : null}
          {failing && trace.data.job.status === 'running' ? (
            <FailJobDialog
              job={trace.data.job}
              stuck={trace.data.stuck}
              onClose={() => setFailing(false)}
              onFailed={(failed) => {
                setFailing(false);
                afterAction(failed, 'failed: it is in the dead-letter queue');
              }}
            />
          ) : null}
          {trace.data.job.security_context ? (
            <section>
              <h3>Security context</h3>
              <pre className="code">{JSON.stringify(trace.data.job.security_context, null, 2)}</pre>
            </section>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}
