import { useState } from 'react';
import type { FailureGroup } from '../../../../shared/contract.ts';
import { useCall } from '../../lib/calls.ts';
import { formatCount } from '../../lib/format.ts';
import { useSearchParams } from '../../lib/router.ts';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { Time } from '../../components/Time.tsx';
import { useTimes } from '../../lib/useTimes.ts';
import { FAILURE_WINDOW_PARAM, FAILURE_WINDOWS, failureWindow, jobsLink, retried, ROWS_SHOWN, sampleText, truncationNote, windowWords } from './recentFailures.ts';

function FailureRow({ group }: { group: FailureGroup }) {
  const jobs = jobsLink(group);
  const times = useTimes();
  return (
    <tr>
      <th scope="row" className="mono">
        <a href={jobs.href} title={jobs.title}>
          {group.service_name}
        </a>
      </th>
      <td className="mono">{group.error_class}</td>
      <td className="mono text-bad wrap error-cell" title={group.sample_error ?? undefined}>
        {sampleText(group, times.inText)}
      </td>
      <td className="num strong">{formatCount(group.failures)}</td>
      <td className="num">{formatCount(group.dead_lettered)}</td>
      <td className="num">{formatCount(retried(group))}</td>
      <td className="nowrap">
        <Time iso={group.last_seen} />
      </td>
    </tr>
  );
}

/**
 * The recent failures of the window in the address. The Overview asks for them with its other calls, before
 * its tiles paint: asked only once this panel mounts under them, they came a round trip after the rest.
 */
export function useRecentFailures() {
  const [params] = useSearchParams();
  const chosen = failureWindow(params);
  const failures = useCall('failures.recent', { since_minutes: FAILURE_WINDOWS[chosen] }, { refetchInterval: 15_000 });
  return { chosen, failures };
}

/**
 * The runbook's "check recent errors" step as a panel: failed attempts of the chosen window grouped by
 * service, failure class and error, whether their jobs retry or were dead-lettered, each leading to its jobs.
 */
export function RecentFailures() {
  const [, setParams] = useSearchParams();
  const { chosen, failures } = useRecentFailures();
  const [showAll, setShowAll] = useState(false);
  const words = windowWords(chosen);
  const groups = failures.data?.groups ?? [];
  const shown = showAll ? groups : groups.slice(0, ROWS_SHOWN);
  const note = failures.data ? truncationNote(failures.data) : null;

  return (
    <section className="panel" aria-labelledby="recent-failures">
      <header className="panel-header">
        <h2 id="recent-failures">Failing in {words}</h2>
        {failures.data && failures.data.total > 0 ? (
          <span className="muted small">
            {formatCount(failures.data.total)} failed {failures.data.total === 1 ? 'attempt' : 'attempts'}
          </span>
        ) : null}
        <div className="segmented" role="group" aria-label="Failures window">
          {Object.keys(FAILURE_WINDOWS).map((w) => (
            <button key={w} type="button" aria-pressed={w === chosen} onClick={() => setParams((p) => p.set(FAILURE_WINDOW_PARAM, w))}>
              {w}
            </button>
          ))}
        </div>
      </header>
      {/* Not a live region: refetched every 15 s, its figures would be read out again and again in an incident. */}
      {note ? <p className="muted small">{note}</p> : null}
      {/* Kept through a failed refetch, as the figures above are. */}
      {failures.data === undefined ? (
        failures.isError ? (
          <ErrorState what="recent failures" error={failures.error} onRetry={() => void failures.refetch()} />
        ) : (
          <Loading label="Loading recent failures…" />
        )
      ) : groups.length === 0 ? (
        <Empty title={`No failed attempts in ${words}.`} />
      ) : (
        <>
          {/* Focusable, so the columns past the panel's edge can be scrolled to from the keyboard. */}
          <div className="table-overflow" tabIndex={0} role="region" aria-label="Failure groups, scrollable">
            <table className="table" id="recent-failure-groups">
              <caption className="sr-only">Failed attempts in {words} by service, failure class and error</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Class</th>
                  <th scope="col">Sample error</th>
                  <SortedHeader order="descending" className="num">
                    Failures
                  </SortedHeader>
                  <th scope="col" className="num">
                    <abbr title="Failed attempts that ended their job in the dead letters">Dead-lettered</abbr>
                  </th>
                  <th scope="col" className="num">
                    <abbr title="Failed attempts after which their job was to try again (an operator may have cancelled it since)">Retried</abbr>
                  </th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((group) => (
                  <FailureRow key={`${group.service_name}\u0000${group.error_class}\u0000${group.fingerprint}`} group={group} />
                ))}
              </tbody>
            </table>
          </div>
          {groups.length > ROWS_SHOWN ? (
            <button type="button" className="link-button" aria-expanded={showAll} aria-controls="recent-failure-groups" onClick={() => setShowAll((all) => !all)}>
              {showAll ? `Show the ${ROWS_SHOWN} largest groups` : `Show all ${formatCount(groups.length)} groups`}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
