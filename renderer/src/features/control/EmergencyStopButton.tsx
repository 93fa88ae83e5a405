import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { useControlAction, useControlState } from './useControlState.ts';

/** One click stops dispatch everywhere: no prompt stands between the operator and the stop. */
export function EmergencyStopButton() {
  const control = useControlState();
  const stop = useControlAction('control.emergencyStop', () => 'Emergency stop engaged: dispatch stopped on every worker.');
  const [askReason, setAskReason] = useState(false);
  const [reason, setReason] = useState('');
  const engaged = control.data?.emergency_stop.engaged ?? false;

  return (
    <div className="estop">
      <button
        type="button"
        className="button-estop"
        disabled={stop.pending || engaged}
        onClick={() => stop.run({})}
        title={engaged ? 'Emergency stop is engaged; resume from the banner' : 'Stop dispatch on every worker and interrupt running jobs'}
      >
        <span className="estop-icon" aria-hidden="true" />
        {engaged ? 'Stopped' : 'Emergency stop'}
      </button>
      <button
        type="button"
        className="button-estop-more"
        aria-label="Emergency stop with a reason"
        disabled={stop.pending || engaged}
        onClick={() => setAskReason(true)}
      >
        …
      </button>
      {askReason ? (
        <Dialog
          title="Emergency stop with a reason"
          tone="danger"
          onClose={() => setAskReason(false)}
          footer={
            <>
              <button type="button" onClick={() => setAskReason(false)}>
                Cancel
              </button>
              <button
                type="submit"
                form="estop-reason"
                className="button-danger"
              >
                Stop everything
              </button>
            </>
          }
        >
          <form
            id="estop-reason"
            onSubmit={(event) => {
              event.preventDefault();
              stop.run({ reason: reason.trim() || undefined });
              setAskReason(false);
              setReason('');
            }}
          >
            <p>Dispatch stops on every worker sharing this store; running jobs are interrupted and return to pending without spending an attempt.</p>
            <label className="field">
              <span>Reason (shown to every operator)</span>
              <input value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} placeholder="e.g. payments API returning 500s" />
            </label>
          </form>
        </Dialog>
      ) : null}
    </div>
  );
}
