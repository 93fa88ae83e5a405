import { useInfiniteQuery } from '@tanstack/react-query';
import { AUDIT_ACTIONS } from '../../../../shared/auditActions.ts';
import { useClient } from '../../lib/clientContext.ts';
import { calls } from '../../../../shared/contract.ts';
import { useSearchParams } from '../../lib/router.ts';
import { textParam } from '../../lib/urlParams.ts';
import { DroppedParams } from '../../components/DroppedParams.tsx';
import { auditDetails } from './auditDetails.ts';
import { formatCount } from '../../lib/format.ts';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { Time } from '../../components/Time.tsx';

/** The filter offers every action the audit log records; it also accepts any other name typed into the URL. */
const ACTIONS: readonly string[] = AUDIT_ACTIONS;
/** The action name the host accepts: a longer one in the address is left out, not sent to be refused. */
const AUDIT_ACTION = calls['audit.list'].input.shape.action.unwrap();

export function AuditPage() {
  const client = useClient();
  const [params, setParams] = useSearchParams();
  const { value: action, dropped } = textParam(params, 'action', 'Action', AUDIT_ACTION);
  const query = useInfiniteQuery({
    queryKey: ['audit.list', { action }],
    queryFn: ({ pageParam }) => client.call('audit.list', { action, after: pageParam, limit: 100 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 15_000,
  });
  const entries = query.data?.pages.flatMap((p) => p.entries) ?? [];
  const known = action && !ACTIONS.includes(action) ? [action, ...ACTIONS] : ACTIONS;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Audit log</h1>
        <span className="muted small">Every operator action, newest first.</span>
      </header>
      <section className="panel">
        <div className="filters-row">
          <label className="field">
            <span>Action</span>
            <select value={action ?? ''} onChange={(event) => setParams((p) => (event.target.value ? p.set('action', event.target.value) : p.delete('action')))}>
              <option value="">all actions</option>
              {known.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
        </div>
        <DroppedParams dropped={dropped ? [dropped] : []} />
        {query.isPending ? (
          <Loading label="Loading the audit log…" />
        ) : query.isError ? (
          <ErrorState what="the audit log" error={query.error} onRetry={() => void query.refetch()} />
        ) : entries.length === 0 ? (
          <Empty title={action ? `No ${action} entries.` : 'No operator action recorded yet.'} />
        ) : (
          <table className="table">
            <caption className="sr-only">Audit log</caption>
            <thead>
              <tr>
                <SortedHeader order="descending">When</SortedHeader>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Target</th>
                <th scope="col" className="num">Jobs</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="nowrap"><Time iso={entry.at} /></td>
                  <td className="mono">{entry.actor}</td>
                  <th scope="row" className="mono">
                    {entry.action}
                  </th>
                  {/* No target is the console's empty cell, an em dash in the text's font: in monospace it reads as an en dash. */}
                  {entry.target === null ? <td>—</td> : <td className="mono wrap">{entry.target}</td>}
                  <td className="num">{formatCount(entry.job_count)}</td>
                  <td className="mono wrap small">{auditDetails(entry.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {query.hasNextPage ? (
          <button type="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {query.isFetchingNextPage ? 'Loading…' : 'Load older entries'}
          </button>
        ) : null}
      </section>
    </div>
  );
}
