import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { DlqGroup } from '../../../../shared/domain.ts';
import { ErrorState, Loading, Empty } from '../../components/States.tsx';
import { useClient } from '../../lib/clientContext.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { routeHref } from '../../lib/router.ts';
import { useUi } from '../../lib/uiState.ts';
import { heldText, selectedScope, type BulkAction } from './bulkAction.ts';
import { Time } from '../../components/Time.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { useTimes } from '../../lib/useTimes.ts';

/** The dead letters of one group, with a selection for bulk actions and a one-job retry. */
export function GroupJobs({ group, onBulk }: { group: DlqGroup; onBulk(action: BulkAction): void }) {
  const times = useTimes();
  const client = useClient();
  const queryClient = useQueryClient();
  const selected = useUi((s) => s.selectedDeadLetters);
  const toggle = useUi((s) => s.toggleDeadLetter);
  const setSelected = useUi((s) => s.setDeadLetters);
  // A fingerprint alone: the store lists the group newest failure first, as the Failed column reads.
  const selector = { fingerprint: group.fingerprint };
  const query = useInfiniteQuery({
    queryKey: ['dlq.list', { selector }],
    queryFn: ({ pageParam }) => client.call('dlq.list', { selector, after: pageParam, limit: 100 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });

  if (query.isPending) return <Loading label="Loading the group's jobs…" />;
  if (query.isError) return <ErrorState what="the group's jobs" error={query.error} onRetry={() => void query.refetch()} />;
  const jobs = query.data.pages.flatMap((p) => p.jobs);
  if (jobs.length === 0) return <Empty title="This group has no open dead letters any more." />;
  const shown = jobs.map((j) => j.id);
  const picked = shown.filter((id) => selected.has(id));
  const all = picked.length === shown.length;

  async function retryOne(id: number, identifier: string): Promise<void> {
    try {
      const result = await client.call('dlq.retry', { selector: { job_ids: [id] } });
      notify('ok', result.affected === 1 ? `Job ${identifier} sent back to pending.${heldText(result)}` : `Job ${identifier} was no longer a dead letter.`);
      for (const name of ['dlq.groups', 'dlq.list', 'jobs.list', 'overview.stats', 'audit.list']) void queryClient.invalidateQueries({ queryKey: [name] });
    } catch (error) {
      notify('bad', errorMessage(error));
    }
  }

  return (
    <div className="group-jobs">
      <p className="small group-facts">
        <span className="muted">Fingerprint</span> <code className="fingerprint">{group.fingerprint}</code>
        <span className="muted"> · {group.services.length === 1 ? 'Service' : `Services (${group.services.length})`}</span>{' '}
        <span className="mono">{group.services.join(', ')}</span>
      </p>
      <div className="toolbar" role="toolbar" aria-label="Selected dead letters">
        <span className="muted small">{picked.length > 0 ? `${picked.length} selected` : 'Select jobs for a bulk action'}</span>
        <button type="button" disabled={picked.length === 0} onClick={() => onBulk({ kind: 'retry', selector: { job_ids: picked }, scope: selectedScope(picked.length), services: group.services, sample: group.sample_error })}>
          Retry selected
        </button>
        <button type="button" disabled={picked.length === 0} onClick={() => onBulk({ kind: 'resolve', selector: { job_ids: picked }, scope: selectedScope(picked.length), services: group.services, sample: group.sample_error })}>
          Resolve selected
        </button>
      </div>
      <table className="table compact">
        <caption className="sr-only">Dead letters in this group</caption>
        <thead>
          <tr>
            <th scope="col" className="check">
              <input type="checkbox" aria-label="Select all shown jobs" checked={all} onChange={() => setSelected(all ? [] : shown)} />
            </th>
            <th scope="col">Job</th>
            <th scope="col">Service</th>
            <SortedHeader order="descending">Failed</SortedHeader>
            <th scope="col" className="num">Attempts</th>
            <th scope="col">Error</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} className={selected.has(job.id) ? 'is-selected' : undefined}>
              <td className="check">
                <input type="checkbox" aria-label={`Select job ${job.identifier}`} checked={selected.has(job.id)} onChange={() => toggle(job.id)} />
              </td>
              <th scope="row" className="mono">
                {job.identifier}
              </th>
              <td className="mono">{job.service_name}</td>
              <td className="nowrap"><Time iso={job.completed_at ?? job.updated_at} /></td>
              <td className="num">
                {job.attempts}/{job.max_attempts}
              </td>
              <td className="mono text-bad wrap error-cell" title={job.error_message ?? undefined}>
                {job.error_message === null ? null : times.inText(job.error_message)}
              </td>
              <td>
                <div className="button-row">
                  <button type="button" className="button-small" aria-label={`Retry job ${job.identifier}`} onClick={() => void retryOne(job.id, job.identifier)}>
                    Retry
                  </button>
                  <a className="button-small button-link" href={routeHref('/jobs', { job: String(job.id) })} aria-label={`Trace job ${job.identifier}`}>
                    Trace
                  </a>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {query.hasNextPage ? (
        <button type="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}
