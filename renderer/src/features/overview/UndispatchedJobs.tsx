import { withTimes } from '../../../../shared/timesInText.ts';
import { useCall } from '../../lib/calls.ts';
import { routeHref } from '../../lib/router.ts';
import { useTimes } from '../../lib/useTimes.ts';

/**
 * Due jobs nothing dispatches: no worker takes their queue, no live worker's registry has their service
 * (a console restarted without the registry it had loaded), or the control plane holds them. Said on the
 * overview only while it is so, in health-check's dispatch check's own words: the figures alone showed
 * jobs pending and nothing about why.
 */
export function UndispatchedJobs() {
  const times = useTimes();
  const dispatch = useCall('health.check', { check: 'dispatch' }, { refetchInterval: 15_000 });
  const failing = dispatch.data?.checks.filter((c) => !c.ok) ?? [];
  if (failing.length === 0) return null;
  return (
    <section className="panel panel-warn" aria-labelledby="undispatched-jobs" aria-live="polite">
      <header className="panel-header">
        <h2 id="undispatched-jobs">Due jobs are not being dispatched</h2>
      </header>
      {failing.map((check) => (
        <p key={check.name}>{withTimes(check.detail, times.time)}</p>
      ))}
      <p className="muted small">
        This is health-check&apos;s dispatch check; <a href={routeHref('/runners')}>the Runners page</a> shows the workers and the services each one runs.
      </p>
    </section>
  );
}
