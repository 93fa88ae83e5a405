import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';

/** What entering safe mode asks: why, and the graceful shutdown's deadline in seconds when one is wanted. */
export interface SafeModeAsk {
  reason: string | undefined;
  drain: number | undefined;
}

const DRAIN_MAX_S = 86_400;

/**
 * Entering safe mode with a reason and, as the runbooks' graceful shutdown, a deadline: the running jobs
 * have that long to finish, then the emergency stop interrupts what still runs. The deadline is kept by the
 * store, so closing the console changes nothing of it.
 */
export function SafeModeDialog({ onEnter, onClose }: { onEnter(ask: SafeModeAsk): void; onClose(): void }) {
  const [reason, setReason] = useState('');
  const [stopAfter, setStopAfter] = useState(false);
  const [seconds, setSeconds] = useState('300');
  const drain = Number(seconds);
  const drainValid = Number.isInteger(drain) && drain >= 1 && drain <= DRAIN_MAX_S;
  return (
    <Dialog
      title="Enter safe mode"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="safe-mode-form" className="button-primary" disabled={stopAfter && !drainValid}>
            Enter safe mode
          </button>
        </>
      }
    >
      <form
        id="safe-mode-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (stopAfter && !drainValid) return;
          onEnter({ reason: reason.trim() || undefined, drain: stopAfter ? drain : undefined });
        }}
      >
        <p>No worker sharing this store starts a new job; running jobs finish. Workers stay up, held, and dispatch again when safe mode is left.</p>
        <label className="field">
          <span>Reason (optional, shown to every operator)</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} placeholder="e.g. deploying the payments service" />
        </label>
        <label className="field field-check">
          <input type="checkbox" checked={stopAfter} onChange={(event) => setStopAfter(event.target.checked)} />
          <span>Then stop what still runs after a deadline (the graceful shutdown)</span>
        </label>
        {stopAfter ? (
          <label className="field">
            <span>Seconds the running jobs have to finish, then the emergency stop interrupts the rest</span>
            <input type="number" min={1} max={DRAIN_MAX_S} step={1} value={seconds} onChange={(event) => setSeconds(event.target.value)} required />
          </label>
        ) : null}
        {stopAfter && !drainValid ? (
          <p role="alert" className="text-bad">
            Give a whole number of seconds from 1 to {DRAIN_MAX_S.toLocaleString('en-US')}.
          </p>
        ) : null}
        {stopAfter ? <p className="small muted">The deadline is kept by the store: every worker keeps it, whether or not this console stays open.</p> : null}
      </form>
    </Dialog>
  );
}
