import { useId, useState } from 'react';
import type { BreakerView } from '../../../../shared/contract.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { useAction } from '../../lib/calls.ts';
import { tuningChanges, type TuningFields } from './tuning.ts';
import { TuningNotes } from './TuningNotes.tsx';

interface TuneBreakerDialogProps {
  breaker: BreakerView;
  onTuned(view: BreakerView): void;
  onClose(): void;
}

const FIELDS: Array<{ key: keyof TuningFields; label: string; unit: string; registry: (b: BreakerView) => number }> = [
  { key: 'failure_threshold', label: 'Failure threshold', unit: 'failures in the window', registry: (b) => b.registry_settings.failure_threshold },
  { key: 'recovery_timeout', label: 'Recovery timeout', unit: "seconds open before a probe (the runbooks' reset_timeout)", registry: (b) => b.registry_settings.recovery_timeout_s },
  { key: 'minimum_volume', label: 'Minimum volume', unit: 'calls in the window before it can trip', registry: (b) => b.registry_settings.minimum_volume },
];

/** `opsdeck breaker tune` in the console: stored for every worker, shown beside the registry's values, undone in one click. */
export function TuneBreakerDialog({ breaker, onTuned, onClose }: TuneBreakerDialogProps) {
  const formId = useId();
  const tune = useAction('breakers.tune');
  const [fields, setFields] = useState<Record<keyof TuningFields, string>>({
    failure_threshold: String(breaker.failure_threshold),
    recovery_timeout: String(breaker.recovery_timeout_s),
    minimum_volume: String(breaker.minimum_volume),
  });
  const [reason, setReason] = useState('');
  const changes = tuningChanges(fields, breaker);
  const problem = 'problem' in changes ? changes.problem : null;
  return (
    <Dialog
      title={`Tune the ${breaker.service_name} breaker`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            disabled={tune.isPending || breaker.tuning === null}
            onClick={() => tune.mutate({ service: breaker.service_name, defaults: true, reason: reason.trim() || undefined }, { onSuccess: onTuned })}
          >
            Back to the registry's settings
          </button>
          <button type="submit" form={formId} className="button-primary" disabled={tune.isPending || problem !== null}>
            Save for every worker
          </button>
        </>
      }
    >
      <form
        id={formId}
        onSubmit={(event) => {
          event.preventDefault();
          if ('settings' in changes) tune.mutate({ service: breaker.service_name, ...changes.settings, reason: reason.trim() || undefined }, { onSuccess: onTuned });
        }}
      >
        <p>Every worker sharing this store uses these numbers from its next breaker decision; the registry file is not changed.</p>
        {FIELDS.map((field) => (
          <label key={field.key} className="field">
            <span>
              {field.label} ({field.unit}; registry: {field.registry(breaker)})
            </span>
            <input
              inputMode="numeric"
              value={fields[field.key]}
              onChange={(event) => setFields((current) => ({ ...current, [field.key]: event.target.value }))}
              aria-invalid={problem?.startsWith(field.label) ? true : undefined}
            />
          </label>
        ))}
        <TuningNotes reason={reason} onReason={setReason} placeholder="e.g. upstream is flaky during its migration" problem={problem} error={tune.error} />
      </form>
    </Dialog>
  );
}
