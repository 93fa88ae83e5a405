import { useEffect, useRef } from 'react';
import { reconnectingLine } from '../../../../shared/reconnectingText.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import { Badge } from '../../components/StatusBadge.tsx';
import { useCall } from '../../lib/calls.ts';
import { routeHref } from '../../lib/router.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { DISPATCH_KINDS, dispatchVerdict } from './dispatchVerdict.ts';

/** How often the workers are read while some reconnect after a store outage, as the Runners page does. */
const RECONNECT_POLL_MS = 2000;

/**
 * What the overview says of the dispatch check: a failure (due jobs nothing dispatches: no worker takes
 * their queue, no live worker's registry has their service, or the control plane holds them), or a warning
 * (dispatch works, yet due jobs wait: every live worker taking their queue is busy, or an open breaker or
 * their service's own rate limit or concurrency holds some), or that it cannot tell (the store does not
 * answer). Each kind has its own heading and tone, in the check's own words: the figures alone showed jobs
 * pending and nothing about why, and a warning that reads as a failure sends an operator restarting workers.
 *
 * A failure read while workers reconnect after a store outage is not shown: the check ran before their
 * first heartbeat, and said no worker was running, to start one. The panel says they reconnect instead, and
 * the check is asked again once none does (each heartbeat came, or their grace ran out).
 */
export function UndispatchedJobs() {
  const times = useTimes();
  const dispatch = useCall('health.check', { check: 'dispatch' }, { refetchInterval: 15_000 });
  const found = dispatchVerdict(dispatch.data?.checks ?? []);
  const workers = useCall('workers.list', {}, { enabled: found?.kind === 'fail', refetchInterval: (query) => (query.state.data?.store_outage ? RECONNECT_POLL_MS : false) });
  const outage = workers.data?.store_outage ?? null;
  const reconnecting = workers.data?.workers.filter((w) => w.state === 'reconnecting').length ?? 0;
  const wereReconnecting = useRef(0);
  const { refetch } = dispatch;
  useEffect(() => {
    if (wereReconnecting.current > 0 && reconnecting === 0) void refetch();
    wereReconnecting.current = reconnecting;
  }, [reconnecting, refetch]);

  if (found === null) return null;
  if (found.kind === 'fail' && reconnecting > 0 && outage !== null) {
    return (
      <section className="panel panel-warn" aria-labelledby="undispatched-jobs" aria-live="polite">
        <header className="panel-header">
          <h2 id="undispatched-jobs">Workers are reconnecting after the store outage</h2>
        </header>
        <p>{withTimes(reconnectingLine(reconnecting, outage), times.time)}</p>
        <p className="muted small">
          The dispatch check is asked again once they have; <a href={routeHref('/runners')}>the Runners page</a> shows the workers.
        </p>
      </section>
    );
  }
  const kind = DISPATCH_KINDS[found.kind];
  return (
    <section className={kind.panel} aria-labelledby="undispatched-jobs" aria-live="polite">
      <header className="panel-header">
        <h2 id="undispatched-jobs">{kind.heading}</h2>
      </header>
      {found.shown.map((check) => (
        <p key={check.name}>
          <Badge tone={kind.tone}>{kind.badge}</Badge> {withTimes(check.detail, times.time)}
        </p>
      ))}
      <p className="muted small">
        This is health-check&apos;s dispatch check; <a href={routeHref('/runners')}>the Runners page</a> shows the workers and the services each one runs.
      </p>
    </section>
  );
}
