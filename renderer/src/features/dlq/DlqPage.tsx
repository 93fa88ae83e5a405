import { Fragment, useEffect, useState } from 'react';
import { calls } from '../../../../shared/contract.ts';
import { useCall } from '../../lib/calls.ts';
import { formatAgo } from '../../lib/format.ts';
import { setTextParam, useSearchParams } from '../../lib/router.ts';
import { useNow } from '../../lib/useNow.ts';
import { useUi } from '../../lib/uiState.ts';
import { textParam } from '../../lib/urlParams.ts';
import { DroppedParams } from '../../components/DroppedParams.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { BulkActionDialog } from './BulkActionDialog.tsx';
import type { BulkAction } from './bulkAction.ts';
import { GroupJobs } from './GroupJobs.tsx';
import { SERVICES_NAMED, servicesPieces } from './servicesText.ts';
import { CopyButton } from '../../components/CopyButton.tsx';
import { useTimes } from '../../lib/useTimes.ts';
import { ERROR_SEARCH_HINT, ERROR_SEARCH_PLACEHOLDER } from '../../lib/errorSearch.ts';

/** The search the host accepts: a longer one in the address is left out, not sent to be refused. */
const DLQ_SEARCH = calls['dlq.groups'].input.shape.search.unwrap();

function SearchBox() {
  const [params, setParams] = useSearchParams();
  const current = params.get('q') ?? '';
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  useEffect(() => {
    if (value === current) return;
    const timer = window.setTimeout(() => setParams((p) => setTextParam(p, 'q', value)), 350);
    return () => window.clearTimeout(timer);
  }, [value, current, setParams]);
  return (
    <label className="field field-grow">
      <span>Error text</span>
      <input type="search" value={value} onChange={(event) => setValue(event.target.value)} placeholder={ERROR_SEARCH_PLACEHOLDER} title={ERROR_SEARCH_HINT} />
    </label>
  );
}

function PurgeForm({ onBulk }: { onBulk(action: BulkAction): void }) {
  const [date, setDate] = useState(() => new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10));
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const before = new Date(`${date}T00:00:00`);
        if (Number.isNaN(before.getTime())) return;
        onBulk({ kind: 'purge', before: before.toISOString(), scope: `resolved dead letters before ${date}` });
      }}
    >
      <label className="field field-inline">
        <span>Purge resolved older than</span>
        <input type="date" value={date} required onChange={(event) => setDate(event.target.value)} />
      </label>
      <button type="submit" className="button-danger-outline">
        Purge…
      </button>
    </form>
  );
}

/** "15 open dead letters", or under a search "2 match (15 open)": how many match, and of how many. */
function groupsCount(total: number, searching: boolean, open: number | undefined): string {
  if (!searching) return `${total.toLocaleString()} open dead letters`;
  return `${total.toLocaleString()} match${open === undefined ? '' : ` (${open.toLocaleString()} open)`}`;
}

export function DlqPage() {
  const times = useTimes();
  const [params, setParams] = useSearchParams();
  const { value: search, dropped } = textParam(params, 'q', 'Error text', DLQ_SEARCH);
  const openGroup = params.get('group');
  const groups = useCall('dlq.groups', { search });
  // Under a search, how many are open in all: "0 match" must not read as "none open".
  const everyOpen = useCall('dlq.groups', {}, { enabled: search !== undefined });
  const clearSelection = useUi((s) => s.clearDeadLetters);
  const [bulk, setBulk] = useState<BulkAction | null>(null);
  const now = useNow();

  useEffect(() => clearSelection(), [openGroup, clearSelection]);

  return (
    <div className="page">
      <header className="page-header">
        <h1>Dead letters</h1>
        <span className="muted small">Failed jobs not yet resolved, grouped by error fingerprint.</span>
      </header>
      <section className="panel">
        <div className="filters-row">
          <SearchBox />
          <button
            type="button"
            className="button-primary"
            disabled={!groups.data || groups.data.total === 0}
            onClick={() => setBulk({ kind: 'retry', selector: search ? { search } : { all: true }, scope: search ? `dead letters matching “${search}”` : 'all dead letters' })}
          >
            {search ? 'Retry all matching' : 'Retry all'}
          </button>
          <button
            type="button"
            disabled={!groups.data || groups.data.total === 0}
            onClick={() => setBulk({ kind: 'resolve', selector: search ? { search } : { all: true }, scope: search ? `dead letters matching “${search}”` : 'all dead letters' })}
          >
            {search ? 'Resolve all matching' : 'Resolve all'}
          </button>
          <span className="spacer" />
          <PurgeForm onBulk={setBulk} />
        </div>
        <DroppedParams dropped={dropped ? [dropped] : []} />
      </section>
      <section className="panel" aria-labelledby="groups-title">
        <header className="panel-header">
          <h2 id="groups-title">Groups{groups.data ? ` · ${groupsCount(groups.data.total, search !== undefined, everyOpen.data?.total)}` : ''}</h2>
        </header>
        {groups.data?.truncated ? (
          <p className="muted small" role="status">
            Showing the {groups.data.groups.length.toLocaleString()} largest groups; more dead letters fail in other ways. Search for their text, or choose a
            service, to see them.
          </p>
        ) : null}
        {groups.isPending ? (
          <Loading label="Loading dead letters…" />
        ) : groups.isError ? (
          <ErrorState what="dead letters" error={groups.error} onRetry={() => void groups.refetch()} />
        ) : groups.data.groups.length === 0 ? (
          <Empty title={search ? 'No dead letter matches this text.' : 'No dead letters. Every failed job is resolved.'} />
        ) : (
          <table className="table">
            <caption className="sr-only">Dead-letter groups</caption>
            <thead>
              <tr>
                <SortedHeader order="descending" className="num">
                  Count
                </SortedHeader>
                <th scope="col">Sample error</th>
                <th scope="col">Services</th>
                <th scope="col">
                  <abbr title="The group's handle in the CLI and the REST API: opsdeck dlq retry --fingerprint FP">Fingerprint</abbr>
                </th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.groups.map((group) => {
                const open = openGroup === group.fingerprint;
                return (
                  <Fragment key={group.fingerprint}>
                    <tr className={open ? 'is-open' : undefined}>
                      <td className="num strong">{group.count.toLocaleString()}</td>
                      <th scope="row" className="mono text-bad wrap error-cell" title={group.sample_error}>
                        {times.inText(group.sample_error)}
                      </th>
                      <td className="mono wrap" title={group.services.length > SERVICES_NAMED + 1 ? group.services.join(', ') : undefined}>
                        {servicesPieces(group.services).map((piece, i) => (
                          <Fragment key={piece}>
                            {i > 0 ? ' ' : null}
                            <span className="nowrap">{piece}</span>
                          </Fragment>
                        ))}
                      </td>
                      <td className="nowrap">
                        <span className="fingerprint-cell">
                          <code className="fingerprint">{group.fingerprint}</code>
                          <CopyButton text={group.fingerprint} what="fingerprint" />
                        </span>
                      </td>
                      <td className="nowrap" title={times.time(group.first_seen)}>
                        {formatAgo(group.first_seen, now)}
                      </td>
                      <td className="nowrap" title={times.time(group.last_seen)}>
                        {formatAgo(group.last_seen, now)}
                      </td>
                      <td>
                        <div className="button-row">
                          <button
                            type="button"
                            className="button-small"
                            aria-expanded={open}
                            aria-label={`${open ? 'Close' : 'Open'} group: ${times.inText(group.sample_error).slice(0, 80)}`}
                            onClick={() => setParams((p) => (open ? p.delete('group') : p.set('group', group.fingerprint)))}
                          >
                            {open ? 'Close' : 'Open'}
                          </button>
                          <button
                            type="button"
                            className="button-small"
                            aria-label={`Retry group: ${times.inText(group.sample_error).slice(0, 80)}`}
                            onClick={() => setBulk({ kind: 'retry', selector: { fingerprint: group.fingerprint }, scope: 'this group', services: group.services, sample: group.sample_error })}
                          >
                            Retry group
                          </button>
                          <button
                            type="button"
                            className="button-small"
                            aria-label={`Resolve group: ${times.inText(group.sample_error).slice(0, 80)}`}
                            onClick={() => setBulk({ kind: 'resolve', selector: { fingerprint: group.fingerprint }, scope: 'this group', services: group.services, sample: group.sample_error })}
                          >
                            Resolve group
                          </button>
                        </div>
                      </td>
                    </tr>
                    {open ? (
                      <tr className="group-detail">
                        <td colSpan={7}>
                          <GroupJobs group={group} onBulk={setBulk} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      {bulk ? <BulkActionDialog action={bulk} onClose={() => setBulk(null)} /> : null}
    </div>
  );
}
