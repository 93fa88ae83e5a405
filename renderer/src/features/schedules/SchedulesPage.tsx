import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { CRON_FORMS_TEXT } from '../../../../shared/cronWords.ts';
import type { ScheduleView } from '../../../../shared/schedule.ts';
import { Badge } from '../../components/StatusBadge.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { useCall } from '../../lib/calls.ts';
import { routeHref, useSearchParams } from '../../lib/router.ts';
import { AddScheduleForm } from './AddScheduleForm.tsx';
import { FireOutcome } from './FireOutcome.tsx';
import { ScheduleActions } from './ScheduleActions.tsx';
import { ScheduleHistory } from './ScheduleHistory.tsx';
import { ScheduleTime } from './ScheduleTimes.tsx';
import { browserZone, viewerZone } from './zonedTime.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import { useTimes } from '../../lib/useTimes.ts';

function StateBadge({ schedule }: { schedule: ScheduleView }) {
  if (schedule.paused) {
    const why = schedule.pause_reason ? `: ${schedule.pause_reason}` : '';
    return <Badge tone="warn" title={`paused by ${schedule.paused_by ?? '?'}${why}`}>paused</Badge>;
  }
  if (!schedule.config.enabled) return <Badge tone="muted">disabled</Badge>;
  return <Badge tone="ok">active</Badge>;
}

/**
 * Every schedule: when it fires next (in its own zone and the viewer's), what its last fire did (with a
 * link to the job), pause or resume, run now; and one schedule's fire history.
 */
export function SchedulesPage() {
  const queryClient = useQueryClient();
  const times = useTimes();
  const viewer = viewerZone(times.timesIn);
  // A new schedule's zone is a setting of the fleet, not a reading: it starts at the operator's wall clock whichever zone they read times in.
  const home = useMemo(browserZone, []);
  const [params, setParams] = useSearchParams();
  const list = useCall('schedules.list', {}, { refetchInterval: 5000 });
  const control = useCall('control.get', {}, { refetchInterval: 5000 });
  const selected = params.get('name');
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['schedules.list'] });
    void queryClient.invalidateQueries({ queryKey: ['schedules.fires'] });
  };
  const schedules = list.data?.schedules ?? [];
  const shown = schedules.find((s) => s.name === selected) ?? null;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Schedules</h1>
        <span className="muted small">Times in each schedule&apos;s own zone, and in yours ({viewer}).</span>
      </header>
      {control.data?.emergency_stop.engaged ? (
        <div className="callout callout-bad" role="status">
          <strong>Emergency stop engaged: schedules fire nothing.</strong> Their fires are recorded as skipped until dispatch resumes.
        </div>
      ) : null}
      <section className="panel" aria-labelledby="schedules-title">
        <header className="panel-header">
          <h2 id="schedules-title">All schedules</h2>
        </header>
        <p className="muted small">
          Registry schedules come from the registry file (<span className="mono">schedules:</span>): pause them here, remove them there. Schedules added here are
          kept in the store, shared by every worker.
        </p>
        {list.isPending ? <Loading label="Loading schedules…" /> : null}
        {list.isError ? <ErrorState what="schedules" error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.data && schedules.length === 0 ? <Empty title="No schedules yet">Add one below, or under schedules: in the registry.</Empty> : null}
        {schedules.length > 0 ? (
          <table className="table schedules-table" aria-label="Schedules">
            <thead>
              <tr>
                <th scope="col">Schedule</th>
                <th scope="col">When</th>
                <th scope="col">Next fire</th>
                <th scope="col">Last fire</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {schedules.map((s) => (
                <tr key={s.name} aria-current={s.name === selected ? 'true' : undefined}>
                  <td>
                    <a className="mono" href={routeHref('/schedules', { name: s.name })}>
                      {s.name}
                      <span className="sr-only"> fire history</span>
                    </a>
                    <div className="muted small">
                      <Badge tone={s.source === 'registry' ? 'info' : 'muted'}>{s.source}</Badge> → {s.config.workflow !== undefined ? `workflow ${s.config.workflow}` : s.config.service}
                    </div>
                    {s.problem ? <div className="small text-bad">{withTimes(s.problem, times.time)}</div> : null}
                  </td>
                  <td>
                    <span className="mono">{s.config.cron}</span>
                    <div className="muted small">{s.config.timezone}</div>
                  </td>
                  <td>
                    {s.next_fires[0] ? <ScheduleTime iso={s.next_fires[0]} zone={s.config.timezone} viewer={viewer} /> : <span className="muted">—</span>}
                    {s.next_fires.length > 1 ? (
                      <details className="small">
                        <summary>then</summary>
                        <ul className="plain-list">
                          {s.next_fires.slice(1).map((at) => (
                            <li key={at}>
                              <ScheduleTime iso={at} zone={s.config.timezone} viewer={viewer} />
                            </li>
                          ))}
                        </ul>
                      </details>
                    ) : null}
                  </td>
                  <td>
                    {s.last_fire ? (
                      <>
                        <FireOutcome fire={s.last_fire} />
                        <div className="small">
                          <ScheduleTime iso={s.last_fire.fire_at} zone={s.config.timezone} viewer={viewer} />
                        </div>
                      </>
                    ) : (
                      <span className="muted">never fired</span>
                    )}
                  </td>
                  <td>
                    <StateBadge schedule={s} />
                  </td>
                  <td>
                    <ScheduleActions schedule={s} onChanged={refresh} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {shown ? <ScheduleHistory schedule={shown} viewer={viewer} onClose={() => setParams((p) => p.delete('name'))} /> : null}
      <section className="panel" aria-labelledby="add-schedule-title">
        <header className="panel-header">
          <h2 id="add-schedule-title">Add a schedule</h2>
        </header>
        <p className="muted small">
          Cron: {CRON_FORMS_TEXT}. A time the clock skips in spring fires when it jumps (02:30 → 03:00); a time it repeats in autumn fires once. What you
          type is checked as you type, with its next fires.
        </p>
        <AddScheduleForm home={home} viewer={viewer} onAdded={refresh} />
      </section>
    </div>
  );
}
