import { useCallback, useMemo } from 'react';
import { DroppedParams } from '../../components/DroppedParams.tsx';
import { useSearchParams } from '../../lib/router.ts';
import { JobDrawer } from './JobDrawer.tsx';
import { JobFilters } from './JobFilters.tsx';
import { JobsTable } from './JobsTable.tsx';
import { filterFromParams } from './jobFilterUrl.ts';

export function JobsPage() {
  const [params, setParams] = useSearchParams();
  const filterKey = new URLSearchParams([...params].filter(([key]) => key !== 'job')).toString();
  // Resolved once per filter change: a relative range must not move the query key every second.
  const { filter, dropped } = useMemo(() => filterFromParams(new URLSearchParams(filterKey), Date.now()), [filterKey]);
  const open = useCallback((id: number) => setParams((p) => p.set('job', String(id)), true), [setParams]);
  const rawJob = Number(params.get('job'));
  const jobId = Number.isInteger(rawJob) && rawJob > 0 ? rawJob : null;

  return (
    <div className="page page-fill">
      <header className="page-header">
        <h1>Jobs</h1>
      </header>
      <JobFilters />
      <DroppedParams dropped={dropped} />
      <JobsTable filter={filter} selectedId={jobId} onOpen={open} />
      {jobId !== null ? <JobDrawer key={jobId} id={jobId} onClose={() => setParams((p) => p.delete('job'))} /> : null}
    </div>
  );
}
