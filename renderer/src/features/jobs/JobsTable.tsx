import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo } from 'react';
import type { Job, JobFilter } from '../../../../shared/domain.ts';
import { useClient } from '../../lib/clientContext.ts';
import { jobDuration, runningFor } from './jobTiming.ts';
import { MAX_LIVE_JOB_PAGES } from '../../lib/liveUpdates.ts';
import { useNow } from '../../lib/useNow.ts';
import { useScrollbarWidth } from '../../lib/scrollbarWidth.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { Badge, StatusBadge } from '../../components/StatusBadge.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { isStuck } from '../../../../shared/isStuck.ts';
import { Time } from '../../components/Time.tsx';
import { errorIsEarlier, errorLabel } from '../../../../shared/jobError.ts';
import { isJob, type JobRef } from './jobRef.ts';

const PAGE = 200;
const ROW_HEIGHT = 32;
const COLUMNS = ['ID', 'Identifier', 'Status', 'Queue', 'Service', 'Type', 'Attempts', 'Created', 'Started', 'Duration', 'Error'];
/** Columns a narrower table leaves out (styles/tables.css), each still in the job's drawer; JobRow marks their cells alike. */
const WIDE_ONLY: ReadonlySet<string> = new Set(['Queue', 'Type', 'Attempts', 'Started']);
/** The store lists jobs newest first, by id. */
const SORTED_BY = 'ID';

interface JobRowProps {
  job: Job;
  index: number;
  start: number;
  stuck: boolean;
  selected: boolean;
  /** Now, for a running job's elapsed time; the row re-renders as it ticks only while the job runs. */
  now: number;
  onOpen(id: number): void;
}

/** Memoised: while scrolling only the rows entering the window render, not the forty already there. */
const JobRow = memo(function JobRow({ job, index, start, stuck, selected, now, onOpen }: JobRowProps) {
  const times = useTimes();
  const error = job.error_message === null ? null : times.inText(job.error_message);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`vtable-row${selected ? ' is-selected' : ''}${stuck ? ' row-warn' : ''}`}
      style={{ transform: `translateY(${start}px)` }}
      onClick={() => onOpen(job.id)}
    >
      <div role="cell" className="vtable-cell mono">
        {/* Named by the number it shows, so "click 39" finds it; the row header beside it says which job. */}
        <button
          type="button"
          className="link-button mono"
          onClick={(event) => {
            event.stopPropagation();
            onOpen(job.id);
          }}
        >
          {job.id}
        </button>
      </div>
      <div role="rowheader" className="vtable-cell mono" title={job.identifier}>
        {job.identifier}
      </div>
      <div role="cell" className="vtable-cell">
        <StatusBadge status={job.status} />
        {stuck ? <Badge tone="warn">stuck</Badge> : null}
        {job.resolved_at ? <Badge tone="muted">resolved</Badge> : null}
      </div>
      <div role="cell" className="vtable-cell mono wide-only">
        {job.queue}
      </div>
      <div role="cell" className="vtable-cell mono">
        {job.service_name}
      </div>
      <div role="cell" className="vtable-cell wide-only">
        {job.execution_type}
      </div>
      <div role="cell" className="vtable-cell num wide-only">
        {job.attempts}/{job.max_attempts}
      </div>
      <div role="cell" className="vtable-cell nowrap">
        <Time iso={job.created_at} />
      </div>
      <div role="cell" className="vtable-cell nowrap wide-only">
        <Time iso={job.started_at} />
      </div>
      <div role="cell" className="vtable-cell num">
        {job.status === 'running' ? runningFor(job, now) : jobDuration(job)}
      </div>
      <div role="cell" className={`vtable-cell mono ${errorIsEarlier(job.status) ? 'muted' : 'text-bad'}`} title={job.error_message === null ? undefined : `${errorLabel(job.status)}, as stored: ${job.error_message}`}>
        {error === null ? '' : errorIsEarlier(job.status) ? `earlier: ${error}` : error}
      </div>
    </div>
  );
});

export function JobsTable({ filter, onOpen, selected }: { filter: JobFilter; onOpen(id: number): void; selected: JobRef | null }) {
  const client = useClient();
  const now = useNow();
  const times = useTimes();
  const query = useInfiniteQuery({
    queryKey: ['jobs.list', { filter }],
    queryFn: ({ pageParam }) => client.call('jobs.list', { filter, after: pageParam, limit: PAGE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // Events mark the list stale; until then what is loaded is current.
    staleTime: Infinity,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((page) => page.jobs) ?? [], [query.data]);
  const scroller = useScrollbarWidth<HTMLDivElement>();
  const virtualizer = useVirtualizer({
    count: query.hasNextPage ? rows.length + 1 : rows.length,
    getScrollElement: () => scroller.element.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (lastIndex >= rows.length - 40 && query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
  }, [lastIndex, rows.length, query]);

  if (query.isPending) return <Loading label="Loading jobs…" />;
  if (query.isError) return <ErrorState what="jobs" error={query.error} onRetry={() => void query.refetch()} />;
  if (rows.length === 0) return <Empty title="No jobs match these filters." />;

  const pages = query.data.pages.length;
  const hover = times.hoverShows();
  const staleDeep = query.isStale && pages > MAX_LIVE_JOB_PAGES && !query.isFetching;

  return (
    <div className="jobs-table-wrap">
      <div className="table-meta">
        <span>
          {rows.length.toLocaleString()}
          {query.hasNextPage ? '+' : ''} jobs{query.isFetching ? ' · updating…' : ''}
        </span>
        <span className="muted small">
          times in {times.zone()}
          {hover === null ? '' : `; hover a time for ${hover}`}
        </span>
        {staleDeep ? (
          <button type="button" className="button-small" onClick={() => void query.refetch()}>
            Jobs changed: refresh
          </button>
        ) : null}
      </div>
      <div
        className="vtable"
        role="table"
        aria-label="Jobs"
        aria-rowcount={query.hasNextPage ? -1 : rows.length + 1}
      >
        <div role="rowgroup" className="vtable-head">
          <div role="row" className="vtable-row" aria-rowindex={1} style={scroller.width > 0 ? { paddingRight: scroller.width } : undefined}>
            {COLUMNS.map((c) => (
              <div key={c} role="columnheader" className={WIDE_ONLY.has(c) ? 'vtable-cell wide-only' : 'vtable-cell'} aria-sort={c === SORTED_BY ? 'descending' : undefined}>
                {c}
                {c === SORTED_BY ? (
                  <span className="sort-mark" aria-hidden="true">
                    ↓
                  </span>
                ) : null}
              </div>
            ))}
          </div>
        </div>
        <div ref={scroller.ref} className="vtable-scroll" role="rowgroup">
          <div className="vtable-space" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const job = rows[item.index];
              if (!job) {
                return (
                  <div key="loader" role="row" className="vtable-row vtable-loader" style={{ transform: `translateY(${item.start}px)` }}>
                    <div role="cell" className="vtable-cell">
                      Loading more…
                    </div>
                  </div>
                );
              }
              return (
                <JobRow
                  key={job.id}
                  job={job}
                  index={item.index}
                  start={item.start}
                  stuck={isStuck(job, now)}
                  selected={isJob(job, selected)}
                  now={job.status === 'running' ? now : 0}
                  onOpen={onOpen}
                />
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
