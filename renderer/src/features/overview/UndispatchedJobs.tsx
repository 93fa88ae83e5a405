import { withTimes } from '../../../../shared/timesInText.ts';
import { Badge } from '../../components/StatusBadge.tsx';
import { useCall } from '../../lib/calls.ts';
import { routeHref } from '../../lib/router.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { DISPATCH_KINDS, dispatchVerdict } from './dispatchVerdict.ts';

/**
 * What the overview says of the dispatch check: a failure (due jobs nothing dispatches: no worker takes
 * their queue, no live worker's registry has their service, or the control plane holds them), or a warning
 * (dispatch works, yet due jobs wait: every live worker taking their queue is busy, or an open breaker or
 * their service's own rate limit or concurrency holds some), or that it cannot tell (the store does not
 * answer). Each kind has its own heading and tone, in the check's own words: the figures alone showed jobs
 * pending and nothing about why, and a warning that reads as a failure sends an operator restarting workers.
 */
export function UndispatchedJobs() {
  const times = useTimes();
  const dispatch = useCall('health.check', { check: 'dispatch' }, { refetchInterval: 15_000 });
  const found = dispatchVerdict(dispatch.data?.checks ?? []);
  if (found === null) return null;
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
