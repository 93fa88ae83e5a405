import { useId, useState } from 'react';
import type { BreakerView, CallInput, CallOutput } from '../../../../shared/contract.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { errorMessage } from '../../lib/callError.ts';
import { useAction } from '../../lib/calls.ts';
import { SET_ALL, resetAllTitle } from './resetAllText.ts';

type Mode = CallInput<'breakers.setModeAll'>['mode'];

interface SetAllDialogProps {
  mode: Mode;
  breakers: BreakerView[];
  onDone(result: CallOutput<'breakers.setModeAll'>): void;
  onClose(): void;
}

/** The dialog's words for a mode, counting the breakers it will change: as the server decides, those a reset clears or not in that mode already. */
function wordsOf(mode: Mode, breakers: BreakerView[]): { title: string; button: string; does: string } {
  if (mode === 'reset') {
    const left = breakers.filter((b) => !b.reset_clears).length;
    return {
      title: resetAllTitle(breakers.length - left),
      button: 'Reset all',
      does: `Every breaker goes back to automatic and closed, its failure counts cleared: a forced one too. Jobs held by an open breaker start again.${leftAlone(left, 'already closed with nothing to clear')}`,
    };
  }
  const words = SET_ALL[mode];
  const left = breakers.filter((b) => b.mode === mode).length;
  const already = left === 0 ? '' : mode === 'auto' ? leftAlone(left, words.already) : ` ${left} ${words.already} ${left === 1 ? 'keeps' : 'keep'} who set ${left === 1 ? 'it' : 'them'} and why.`;
  return { title: words.title(breakers.length - left), button: words.button, does: `${words.does}${already}` };
}

function leftAlone(left: number, already: string): string {
  return left === 0 ? '' : ` ${left} ${already} ${left === 1 ? 'is left as it is' : 'are left as they are'}.`;
}

/**
 * Every breaker set to one mode at once, as `opsdeck breaker open|close|auto|reset --all`: each one it changes
 * audited on its own with one reason for all; one already so is left alone (the runbooks' reset_all_circuit_breakers is the reset).
 */
export function SetAllDialog({ mode, breakers, onDone, onClose }: SetAllDialogProps) {
  const formId = useId();
  const setAll = useAction('breakers.setModeAll');
  const [reason, setReason] = useState('');
  const words = wordsOf(mode, breakers);
  return (
    <Dialog
      title={words.title}
      tone="danger"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button-danger" disabled={setAll.isPending}>
            {words.button}
          </button>
        </>
      }
    >
      <form
        id={formId}
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = reason.trim();
          setAll.mutate({ mode, ...(trimmed ? { reason: trimmed } : {}) }, { onSuccess: onDone });
        }}
      >
        <p>{words.does}</p>
        <label className="field">
          <span>Reason (written to the audit log)</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} placeholder="e.g. upstream recovered after the incident" />
        </label>
        {setAll.isError ? (
          <p role="alert" className="text-bad">
            {errorMessage(setAll.error)}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
