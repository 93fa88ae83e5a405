import { useState } from 'react';
import type { ControlFlag } from '../../../../shared/domain.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { formatAgo, formatTime } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { useControlAction, useControlState } from './useControlState.ts';

function who(flag: { by: string | null; at: string | null; reason: string | null }, now: number) {
  return (
    <>
      by <strong>{flag.by ?? 'unknown'}</strong> at <time dateTime={flag.at ?? undefined}>{formatTime(flag.at)}</time> ({formatAgo(flag.at, now)})
      {': '}
      {flag.reason ? <q>{flag.reason}</q> : <span className="muted">no reason given</span>}
    </>
  );
}

function EmergencyBanner({ flag, now }: { flag: ControlFlag; now: number }) {
  const [confirming, setConfirming] = useState(false);
  const resume = useControlAction('control.resume', () => 'Emergency stop released: dispatch resumes.');
  return (
    <div className="banner banner-bad" role="alert">
      <span className="banner-text">
        <strong>Emergency stop engaged</strong> {who(flag, now)}. No job is dispatched on any worker.
      </span>
      <button type="button" className="button-light" onClick={() => setConfirming(true)} disabled={resume.pending}>
        Resume
      </button>
      {confirming ? (
        <Dialog
          title="Resume dispatch?"
          onClose={() => setConfirming(false)}
          footer={
            <>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep stopped
              </button>
              <button
                type="button"
                className="button-primary"
                onClick={() => {
                  resume.run({});
                  setConfirming(false);
                }}
              >
                Resume dispatch
              </button>
            </>
          }
        >
          <p>
            Every worker sharing this store starts dispatching again. The stop was engaged {who(flag, now)}.
          </p>
        </Dialog>
      ) : null}
    </div>
  );
}

/** Emergency stop, safe mode and paused queues, on every page, with the way back out of each. */
export function ControlBanner() {
  const control = useControlState();
  const now = useNow();
  const safeOff = useControlAction('control.safeMode', () => 'Safe mode off: dispatch resumes.');
  const unpause = useControlAction('control.pauseQueue', () => 'Queue resumed.');
  const state = control.data;
  if (!state) return null;

  return (
    <div className="banners">
      {state.emergency_stop.engaged ? <EmergencyBanner flag={state.emergency_stop} now={now} /> : null}
      {state.safe_mode.engaged ? (
        <div className="banner banner-warn" role="status">
          <span className="banner-text">
            <strong>Safe mode</strong> {who(state.safe_mode, now)}. New jobs are not dispatched; running jobs finish.
          </span>
          <button type="button" className="button-light" disabled={safeOff.pending} onClick={() => safeOff.run({ enabled: false })}>
            Leave safe mode
          </button>
        </div>
      ) : null}
      {state.paused_queues.map((paused) => (
        <div key={paused.queue} className="banner banner-warn" role="status">
          <span className="banner-text">
            <strong>
              Queue <span className="mono">{paused.queue}</span> paused
            </strong>{' '}
            {who(paused, now)}.
          </span>
          <button
            type="button"
            className="button-light"
            disabled={unpause.pending}
            onClick={() => unpause.run({ queue: paused.queue, paused: false })}
            aria-label={`Resume queue ${paused.queue}`}
          >
            Resume queue
          </button>
        </div>
      ))}
    </div>
  );
}
