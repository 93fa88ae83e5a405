import { useState } from 'react';
import type { ScheduleChange, ScheduleView } from '../../../../shared/schedule.ts';
import { useAction } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { heldBySentences } from '../../../../shared/heldText.ts';
import { CONSOLE_RESET } from '../../../../shared/breakerRecord.ts';

/** Pause or resume, run now, and (for a schedule added by hand) remove with a confirming second click. */
export function ScheduleActions({ schedule, onChanged }: { schedule: ScheduleView; onChanged(): void }) {
  const pause = useAction('schedules.pause');
  const resume = useAction('schedules.resume');
  const runNow = useAction('schedules.runNow');
  const remove = useAction('schedules.remove');
  const [confirming, setConfirming] = useState(false);
  const busy = pause.isPending || resume.isPending || runNow.isPending || remove.isPending;
  const { name } = schedule;
  const done = (text: string) => ({
    onSuccess() {
      notify('ok', text);
      onChanged();
    },
    onError: (e: Error) => notify('bad', errorMessage(e)),
  });
  // Pause and resume say when they changed nothing (another operator got there first) or when the
  // schedule still fires nothing (disabled in its definition), rather than a success that did not happen.
  const changed = (text: string, partly: string) => ({
    onSuccess(change: ScheduleChange) {
      if (change.note === null) notify('ok', text);
      else notify('info', change.changed ? `${partly} ${change.note}.` : `${change.note}.`);
      onChanged();
    },
    onError: (e: Error) => notify('bad', errorMessage(e)),
  });

  return (
    <div className="button-row">
      {schedule.paused ? (
        <button type="button" className="button-small" disabled={busy} aria-label={`Resume schedule ${name}`} onClick={() => resume.mutate({ name }, changed(`Schedule ${name} resumed from its next fire.`, `Schedule ${name} is no longer paused, but:`))}>
          Resume
        </button>
      ) : (
        <button type="button" className="button-small" disabled={busy} aria-label={`Pause schedule ${name}`} onClick={() => pause.mutate({ name }, changed(`Schedule ${name} paused: it fires nothing until resumed.`, `Schedule ${name} paused.`))}>
          Pause
        </button>
      )}
      <button
        type="button"
        className="button-small"
        disabled={busy}
        aria-label={`Run now: schedule ${name}`}
        onClick={() =>
          runNow.mutate(
            { name },
            {
              onSuccess(fire) {
                const held = heldBySentences(fire, fire.run_id !== null ? 2 : 1, CONSOLE_RESET);
                notify(held ? 'info' : 'ok', `${fire.run_id !== null ? `Schedule ${name}: run ${fire.run_id} started.` : `Schedule ${name}: job ${fire.job_id ?? '?'} enqueued.`}${held}`);
                onChanged();
              },
              onError: (e) => notify('bad', errorMessage(e)),
            },
          )
        }
      >
        Run now
      </button>
      {schedule.source === 'operator' ? (
        <button
          type="button"
          className={`button-small${confirming ? ' button-danger' : ''}`}
          disabled={busy}
          aria-label={confirming ? `Confirm remove: schedule ${name}` : `Remove schedule ${name}`}
          onClick={() => {
            if (!confirming) {
              setConfirming(true);
              return;
            }
            remove.mutate({ name }, done(`Schedule ${name} removed.`));
          }}
          onBlur={() => setConfirming(false)}
        >
          {confirming ? 'Confirm remove' : 'Remove'}
        </button>
      ) : null}
    </div>
  );
}
