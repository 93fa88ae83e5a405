import { errorMessage } from '../../lib/callError.ts';

interface TuningNotesProps {
  reason: string;
  onReason(reason: string): void;
  placeholder: string;
  /** What is wrong with the form as it stands, or null. */
  problem: string | null;
  /** The store's refusal of the last try, if any. */
  error: Error | null;
}

/** The end of a tuning form: why, for the audit log, then what is wrong with the form or was refused. */
export function TuningNotes({ reason, onReason, placeholder, problem, error }: TuningNotesProps) {
  return (
    <>
      <label className="field">
        <span>Reason (optional, written to the audit log)</span>
        <input value={reason} onChange={(event) => onReason(event.target.value)} maxLength={500} placeholder={placeholder} />
      </label>
      {problem ? (
        <p role="alert" className="text-bad">
          {problem}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="text-bad">
          {errorMessage(error)}
        </p>
      ) : null}
    </>
  );
}
