import { useId, useState } from 'react';
import type { CallOutput } from '../../../../shared/contract.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { errorMessage } from '../../lib/callError.ts';
import { useAction } from '../../lib/calls.ts';

interface ResetAllDialogProps {
  count: number;
  onReset(result: CallOutput<'breakers.setModeAll'>): void;
  onClose(): void;
}

/**
 * The runbooks' reset_all_circuit_breakers(): every breaker back to auto and closed, its counts cleared,
 * each change audited on its own, with one reason for all; one already so, with nothing to clear, is left alone.
 */
export function ResetAllDialog({ count, onReset, onClose }: ResetAllDialogProps) {
  const formId = useId();
  const reset = useAction('breakers.setModeAll');
  const [reason, setReason] = useState('');
  return (
    <Dialog
      title={`Reset all ${count} circuit breakers`}
      tone="danger"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button-danger" disabled={reset.isPending}>
            Reset all
          </button>
        </>
      }
    >
      <form
        id={formId}
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = reason.trim();
          reset.mutate({ mode: 'reset', ...(trimmed ? { reason: trimmed } : {}) }, { onSuccess: onReset });
        }}
      >
        <p>Every breaker goes back to automatic and closed, its failure counts cleared: a forced one too. Jobs held by an open breaker start again.</p>
        <label className="field">
          <span>Reason (written to the audit log)</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} placeholder="e.g. upstream recovered after the incident" />
        </label>
        {reset.isError ? (
          <p role="alert" className="text-bad">
            {errorMessage(reset.error)}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
