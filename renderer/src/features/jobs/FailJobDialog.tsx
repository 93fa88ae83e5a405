import { useId, useState } from 'react';
import type { Job } from '../../../../shared/domain.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { errorMessage } from '../../lib/callError.ts';
import { useAction } from '../../lib/calls.ts';

interface FailJobDialogProps {
  job: Job;
  stuck: boolean;
  onFailed(job: Job): void;
  onClose(): void;
}

/**
 * "Fail now": ends a running job whose worker is gone, into the dead-letter queue, with the operator's
 * reason. The store refuses a job a live worker still holds; forcing it is a separate, explicit tick.
 */
export function FailJobDialog({ job, stuck, onFailed, onClose }: FailJobDialogProps) {
  const formId = useId();
  const fail = useAction('jobs.fail');
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  const refusal = fail.isError ? errorMessage(fail.error) : null;
  const heldByLiveWorker = !stuck && !job.cancel_requested;
  return (
    <Dialog
      title={`Fail job ${job.identifier} now`}
      tone="danger"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button-danger" disabled={fail.isPending || reason.trim() === ''}>
            Fail now
          </button>
        </>
      }
    >
      <form
        id={formId}
        onSubmit={(event) => {
          event.preventDefault();
          fail.mutate({ id: job.id, reason: reason.trim(), force }, { onSuccess: onFailed });
        }}
      >
        <p>
          The job ends as failed and goes to the dead-letter queue, where it can be retried. Use this for a job whose worker is gone
          {job.lease_owner ? (
            <>
              {' '}
              (it was held by <span className="mono">{job.lease_owner}</span>)
            </>
          ) : null}
          .
        </p>
        <label className="field">
          <span>Reason (required, written to the audit log and the job's error)</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} required placeholder="e.g. worker host was terminated" />
        </label>
        {heldByLiveWorker || refusal ? (
          <label className="field field-check">
            <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} />
            <span>Force: fail it even though a live worker may still be running it</span>
          </label>
        ) : null}
        {refusal ? (
          <p role="alert" className="text-bad">
            {refusal}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}
