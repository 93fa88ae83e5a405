import { zonedTime } from './zonedTime.ts';

/** One instant, in the schedule's zone first (what its cron means), then in the viewer's when it differs. */
export function ScheduleTime({ iso, zone, viewer }: { iso: string; zone: string; viewer: string }) {
  return (
    <span className="schedule-time">
      <span className="mono">{zonedTime(iso, zone)}</span>
      {viewer !== zone ? (
        <span className="mono muted small">
          {' '}
          · yours {zonedTime(iso, viewer)}
        </span>
      ) : null}
    </span>
  );
}
