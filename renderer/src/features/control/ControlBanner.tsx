import { useId, useRef, useState, type ReactNode } from 'react';
import type { ControlFlag, SafeModeDrain } from '../../../../shared/domain.ts';
import { useCall } from '../../lib/calls.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { formatAgo } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { queueNotice } from './queueNotice.ts';
import { useControlAction, useControlState } from './useControlState.ts';
import { Time } from '../../components/Time.tsx';

function who(flag: { by: string | null; at: string | null; reason: string | null }, now: number) {
  return (
    <>
      by <strong>{flag.by ?? 'unknown'}</strong> at <Time iso={flag.at} /> ({formatAgo(flag.at, now)})
      {': '}
      {flag.reason ? <q>{flag.reason}</q> : <span className="muted">no reason given</span>}
    </>
  );
}

/**
 * A banner is a labelled region, not a live one: its age ticks every second, and a live region would read
 * it out every second. The change itself is announced once (see app/useLiveAnnouncements.ts).
 */
function Banner({ tone, title, children, action }: { tone: 'bad' | 'warn'; title: ReactNode; children: ReactNode; action: ReactNode }) {
  const titleId = useId();
  return (
    <section className={`banner banner-${tone}`} aria-labelledby={titleId}>
      <span className="banner-text">
        <strong id={titleId}>{title}</strong> {children}
      </span>
      {action}
    </section>
  );
}

function EmergencyBanner({ flag, now }: { flag: ControlFlag; now: number }) {
  const [confirming, setConfirming] = useState(false);
  const resumed = useRef(false);
  const resume = useControlAction('control.resume');
  return (
    <Banner
      tone="bad"
      title="Emergency stop engaged"
      action={
        <button type="button" className="button-light" onClick={() => setConfirming(true)} disabled={resume.pending}>
          Resume
        </button>
      }
    >
      {who(flag, now)}. No job is dispatched on any worker.
      {confirming ? (
        <Dialog
          title="Resume dispatch?"
          onClose={() => setConfirming(false)}
          // Once resumed, this banner and its Resume button go away: focus goes on to the page instead.
          returnFocus={() => (resumed.current ? document.getElementById('main') : null)}
          footer={
            <>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep stopped
              </button>
              <button
                type="button"
                className="button-primary"
                onClick={() => {
                  resumed.current = true;
                  resume.run({});
                  setConfirming(false);
                }}
              >
                Resume dispatch
              </button>
            </>
          }
        >
          <p>Every worker sharing this store starts dispatching again. The stop was engaged {who(flag, now)}.</p>
        </Dialog>
      ) : null}
    </Banner>
  );
}

/**
 * A graceful shutdown under way: how many jobs still run (the stats' count, kept current by their ticks)
 * and when the emergency stop interrupts them. Once the deadline passes a worker ends it, and this goes.
 */
function DrainProgress({ drain, running }: { drain: SafeModeDrain; running: number | null }) {
  const still = running === null ? 'Draining' : running === 0 ? 'Drained: no job runs' : `Draining: ${running.toLocaleString('en-US')} job(s) still running`;
  return (
    <>
      {' '}
      <span className="drain-progress">
        {still}; the emergency stop interrupts what still runs at <Time iso={drain.until} /> ({drain.seconds}s asked by {drain.by}).
      </span>
    </>
  );
}

/** Emergency stop, safe mode and paused queues, on every page, with the way back out of each. */
export function ControlBanner() {
  const control = useControlState();
  const stats = useCall('overview.stats', {}, { staleTime: 10_000 });
  const running = stats.data ? (stats.data.counts.running ?? 0) : null;
  const now = useNow();
  const safeOff = useControlAction('control.safeMode', () => 'Safe mode off: dispatch resumes.');
  const unpause = useControlAction('control.pauseQueue', (s, asked) => queueNotice(asked.queue, s));
  const state = control.data;
  if (!state) return null;

  return (
    <div className="banners">
      {state.emergency_stop.engaged ? <EmergencyBanner flag={state.emergency_stop} now={now} /> : null}
      {state.safe_mode.engaged ? (
        <Banner
          tone="warn"
          title="Safe mode"
          action={
            <button type="button" className="button-light" disabled={safeOff.pending} onClick={() => safeOff.run({ enabled: false })}>
              Leave safe mode
            </button>
          }
        >
          {who(state.safe_mode, now)}. New jobs are not dispatched; running jobs finish.
          {state.drain ? <DrainProgress drain={state.drain} running={running} /> : null}
        </Banner>
      ) : null}
      {state.paused_queues.map((paused) => (
        <Banner
          key={paused.queue}
          tone="warn"
          title={
            <>
              Queue <span className="mono">{paused.queue}</span> paused
            </>
          }
          action={
            <button
              type="button"
              className="button-light"
              disabled={unpause.pending}
              onClick={() => unpause.run({ queue: paused.queue, paused: false })}
              aria-label={`Resume queue ${paused.queue}`}
            >
              Resume queue
            </button>
          }
        >
          {who(paused, now)}.
        </Banner>
      ))}
    </div>
  );
}
