import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { errorMessage } from '../../lib/callError.ts';
import { useAction } from '../../lib/calls.ts';
import { notify } from '../../lib/notices.ts';

/** Acknowledge a firing alert: the note says what is being done; it is kept with the alert and audited. */
export function AckDialog({ rule, onClose }: { rule: string; onClose(): void }) {
  const queryClient = useQueryClient();
  const ack = useAction('alerts.ack');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);

  function confirm(): void {
    ack.mutate(
      { rule, note },
      {
        onSuccess() {
          void queryClient.invalidateQueries({ queryKey: ['alerts.list'] });
          notify('ok', `Acknowledged ${rule}.`);
          onClose();
        },
        onError(e) {
          setError(errorMessage(e));
        },
      },
    );
  }

  return (
    <Dialog
      title={`Acknowledge ${rule}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button-primary" disabled={note.trim() === ''} aria-disabled={ack.isPending || undefined} onClick={confirm}>
            Acknowledge
          </button>
        </>
      }
    >
      {error ? (
        <p className="callout callout-bad" role="alert">
          {error}
        </p>
      ) : null}
      <label className="field">
        <span>Note (required, kept with the alert and in the audit log)</span>
        <textarea autoFocus value={note} onChange={(event) => setNote(event.target.value)} rows={3} maxLength={2000} placeholder="e.g. upstream incident INC-1234, failing over" />
      </label>
    </Dialog>
  );
}
