import { lackLine, notCheckedYet } from '../../../../shared/cannotRunText.ts';
import type { WorkerView } from '../../../../shared/views.ts';
import { Time } from '../../components/Time.tsx';

/**
 * What a worker found it cannot run at its last check, each service with why (variable names only) and
 * whether it leaves those jobs to other workers; "nothing" once checked, "not known" from a worker that has
 * not said, and the kinds whose check has not answered yet. `opsdeck workers` says the same under its table.
 */
export function CannotRunCell({ worker }: { worker: WorkerView }) {
  const checked = worker.cannot_run;
  if (checked === null) return <td className="small"><span className="muted" title="A worker of an older version, or one not checked yet, does not say">not known</span></td>;
  const pending = notCheckedYet(checked);
  if (checked.services.length === 0) return <td className="small"><span className="muted">{pending ? `nothing so far (${pending})` : 'nothing'}</span></td>;
  return (
    <td className="small">
      <ul className="plain-list" aria-label={`What ${worker.id} cannot run`}>
        {checked.services.map((lack) => (
          <li key={lack.service} className="text-bad">{lackLine(lack)}</li>
        ))}
      </ul>
      <span className="muted">checked <Time iso={checked.checked_at} />{pending ? `; ${pending}` : ''}</span>
    </td>
  );
}
