import { useId, useState } from 'react';
import { budgetText, type RateLimitTuned, type RateLimitView } from '../../../../shared/rateLimitTuning.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { useAction } from '../../lib/calls.ts';
import { rateFields, rateTuningChanges, type RateFields } from './rateTuning.ts';
import { TuningNotes } from './TuningNotes.tsx';

interface TuneRateLimitDialogProps {
  rate: RateLimitView;
  onTuned(view: RateLimitTuned): void;
  onClose(): void;
}

const FIELDS: Array<{ key: keyof RateFields; label: string; hint: string; numeric: boolean }> = [
  { key: 'limit', label: 'Limit', hint: 'starts per period, across every worker', numeric: true },
  { key: 'per', label: 'Period', hint: 'e.g. 1s, 500ms, 1m, 1h', numeric: false },
  { key: 'max_concurrent', label: 'Max concurrent', hint: 'jobs running at once, across every worker', numeric: true },
];

/** `opsdeck rate-limit tune` in the console: the runbooks' "reduce worker budgets temporarily", for every worker. */
export function TuneRateLimitDialog({ rate, onTuned, onClose }: TuneRateLimitDialogProps) {
  const formId = useId();
  const tune = useAction('rateLimits.tune');
  const [fields, setFields] = useState<RateFields>(() => rateFields(rate));
  const [reason, setReason] = useState('');
  // A form not yet edited has nothing wrong with it: its problem shows once a field changed.
  const [edited, setEdited] = useState(false);
  const changes = rateTuningChanges(fields, rate);
  const problem = 'problem' in changes ? changes.problem : null;
  const why = reason.trim() || undefined;
  const gated = rate.limit !== null || rate.max_concurrent !== null;
  return (
    <Dialog
      title={`Rate limit of ${rate.service_name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" disabled={tune.isPending || rate.tuning === null} onClick={() => tune.mutate({ service: rate.service_name, defaults: true, reason: why }, { onSuccess: onTuned })}>
            Back to the registry's settings
          </button>
          <button type="button" disabled={tune.isPending || !gated} onClick={() => tune.mutate({ service: rate.service_name, scale: 0.5, reason: why }, { onSuccess: onTuned })}>
            Halve it
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
          if ('settings' in changes) tune.mutate({ service: rate.service_name, ...changes.settings, reason: why }, { onSuccess: onTuned });
        }}
      >
        <p>
          Every worker sharing this store holds the service to this budget from its next claim; jobs over it wait, they do not fail. The registry file is not
          changed. Registry: {budgetText(rate.registry)}.
        </p>
        {FIELDS.map((field) => (
          <label key={field.key} className="field">
            <span>
              {field.label} ({field.hint})
            </span>
            <input
              inputMode={field.numeric ? 'numeric' : 'text'}
              value={fields[field.key]}
              onChange={(event) => {
                setEdited(true);
                setFields((current) => ({ ...current, [field.key]: event.target.value }));
              }}
              aria-invalid={problem?.startsWith(field.label) ? true : undefined}
            />
          </label>
        ))}
        <TuningNotes reason={reason} onReason={setReason} placeholder="e.g. the upstream answers 429" problem={edited ? problem : null} error={tune.error} />
      </form>
    </Dialog>
  );
}
