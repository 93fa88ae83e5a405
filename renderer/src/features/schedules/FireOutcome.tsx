import type { ScheduleFire } from '../../../../shared/schedule.ts';
import { Badge, StatusBadge } from '../../components/StatusBadge.tsx';
import { routeHref } from '../../lib/router.ts';

const REASONS: Record<string, string> = {
  emergency_stop: 'emergency stop engaged',
  missed: 'missed while no worker ran',
};

/**
 * What a fire did: the job it made (with its status, linked to its trace), the workflow run it started
 * (linked to its graph on the Workflows page), or why it was skipped.
 */
export function FireOutcome({ fire }: { fire: ScheduleFire }) {
  if (fire.status === 'skipped') {
    const count = fire.count > 1 ? `${fire.count} fires ` : '';
    return (
      <Badge tone="warn" title={fire.fire_key}>
        {count}skipped: {REASONS[fire.reason ?? ''] ?? fire.reason}
      </Badge>
    );
  }
  if (fire.run_id !== null) {
    return (
      <span className="fire-outcome">
        {fire.run_status ? <StatusBadge status={fire.run_status} /> : <Badge tone="muted">pruned</Badge>}{' '}
        <a href={routeHref('/workflows', { run: String(fire.run_id) })}>
          run {fire.run_id}
          <span className="sr-only"> of {fire.schedule}</span>
        </a>
        {fire.trigger === 'manual' ? <span className="muted small"> (run now)</span> : null}
      </span>
    );
  }
  if (fire.job_id === null) return <span className="muted">no job</span>;
  return (
    <span className="fire-outcome">
      {fire.job_status ? <StatusBadge status={fire.job_status} /> : <Badge tone="muted">pruned</Badge>}{' '}
      <a href={routeHref('/jobs', { job: String(fire.job_id) })}>
        job {fire.job_id}
        <span className="sr-only"> of {fire.schedule}</span>
      </a>
      {fire.trigger === 'manual' ? <span className="muted small"> (run now)</span> : null}
    </span>
  );
}
