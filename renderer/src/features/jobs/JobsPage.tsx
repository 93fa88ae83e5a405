import { useCallback, useMemo } from 'react';
import { DroppedParams } from '../../components/DroppedParams.tsx';
import { useSearchParams } from '../../lib/router.ts';
import { JobDrawer } from './JobDrawer.tsx';
import { JobFilters } from './JobFilters.tsx';
import { JobsTable } from './JobsTable.tsx';
import { filterFromParams } from './jobFilterUrl.ts';
import { GoToJob } from './GoToJob.tsx';
import { parseJobRef } from './jobRef.ts';

export function JobsPage() {
  const [params, setParams] = useSearchParams();
  const filterKey = new URLSearchParams([...params].filter(([key]) => key !== 'job')).toString();
  // Resolved once per filter change: a relative range must not move the query key every second.
  const { filter, dropped } = useMemo(() => filterFromParams(new URLSearchParams(filterKey), Date.now()), [filterKey]);
  const open = useCallback((id: number) => setParams((p) => p.set('job', String(id)), true), [setParams]);
  // `?job=` takes an id or an identifier, as the CLI and REST do.
  const jobRef = parseJobRef(params.get('job'));

  return (
    <div className="page page-fill">
      <header className="page-header">
        <h1>Jobs</h1>
        <GoToJob onFound={open} />
      </header>
      <JobFilters />
      <DroppedParams dropped={dropped} />
      {/* A table of its own per filter: a list another filter scrolled deep must not open this one deep too (nor fetch its next page at once). */}
      <JobsTable key={filterKey} filter={filter} selected={jobRef} onOpen={open} />
      {jobRef !== null ? <JobDrawer key={jobRef} id={jobRef} onClose={() => setParams((p) => p.delete('job'))} /> : null}
    </div>
  );
}
