import { useState } from 'react';
import { queueNotice } from './queueNotice.ts';
import { SafeModeDialog } from './SafeModeDialog.tsx';
import { useControlAction, useControlState } from './useControlState.ts';

/** Safe mode and per-queue pauses: the gentler brakes, next to the queues they act on. */
export function DispatchControls({ queues }: { queues: string[] }) {
  const control = useControlState();
  const safe = useControlAction('control.safeMode', (s) => (s.safe_mode.engaged ? `Safe mode on: running jobs finish; workers hold, taking no new jobs.${s.drain ? ' The emergency stop interrupts what still runs once the deadline in the banner passes.' : ''}` : 'Safe mode off.'));
  const [asking, setAsking] = useState(false);
  const pause = useControlAction('control.pauseQueue', (s, asked) => queueNotice(asked.queue, s));
  const [queue, setQueue] = useState('');
  const state = control.data;
  const paused = new Set(state?.paused_queues.map((p) => p.queue));
  const safeOn = state?.safe_mode.engaged ?? false;

  return (
    <div className="dispatch-controls">
      <button type="button" disabled={safe.pending || !state} onClick={() => (safeOn ? safe.run({ enabled: false }) : setAsking(true))}>
        {safeOn ? 'Leave safe mode' : 'Enter safe mode'}
      </button>
      {asking ? (
        <SafeModeDialog
          onClose={() => setAsking(false)}
          onEnter={(ask) => {
            safe.run({ enabled: true, ...ask });
            setAsking(false);
          }}
        />
      ) : null}
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const name = queue.trim();
          if (!name) return;
          pause.run({ queue: name, paused: !paused.has(name) });
          setQueue('');
        }}
      >
        <label className="field field-inline">
          <span>Queue</span>
          <select value={queue} onChange={(event) => setQueue(event.target.value)}>
            <option value="">choose…</option>
            {queues.map((q) => (
              <option key={q} value={q}>
                {q}
                {paused.has(q) ? ' (paused)' : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!queue || pause.pending}>
          {queue && paused.has(queue) ? 'Resume queue' : 'Pause queue'}
        </button>
      </form>
    </div>
  );
}
