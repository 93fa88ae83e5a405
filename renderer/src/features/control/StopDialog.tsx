import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';

interface StopDialogProps {
  title: string;
  onStop(reason: string | undefined): void;
  onClose(): void;
}

/** The emergency stop with a reason: the confirmation when Settings asks for one, or by choice from "…". */
export function StopDialog({ title, onStop, onClose }: StopDialogProps) {
  const [reason, setReason] = useState('');
  return (
    <Dialog
      title={title}
      tone="danger"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="estop-reason" className="button-danger">
            Stop everything
          </button>
        </>
      }
    >
      <form
        id="estop-reason"
        onSubmit={(event) => {
          event.preventDefault();
          onStop(reason.trim() || undefined);
        }}
      >
        <p>Dispatch stops on every worker sharing this store; running jobs are interrupted and return to pending without spending an attempt.</p>
        <label className="field">
          <span>Reason (optional, shown to every operator)</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} placeholder="e.g. payments API returning 500s" />
        </label>
      </form>
    </Dialog>
  );
}
