import { useId, useState } from 'react';
import { z } from 'zod';
import type { MissedPolicy, ScheduleView } from '../../../../shared/schedule.ts';
import { useAction, useCall } from '../../lib/calls.ts';
import { errorMessage, fieldProblem, onlyFieldProblems } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { ScheduleTime } from './ScheduleTimes.tsx';
import { useScheduleCheck } from './useScheduleCheck.ts';

const POLICIES: Array<{ value: MissedPolicy; label: string }> = [
  { value: 'skip', label: 'skip missed fires' },
  { value: 'run_once', label: 'run once for missed fires' },
  { value: 'catch_up', label: 'catch up (at most 10)' },
];

/** A schedule starts a job of a service or a run of a workflow; the select's value says which: `service:NAME`. */
function targetsOf(services: Array<{ name: string }>, workflows: Array<{ name: string }>) {
  return [
    ...services.map((s) => ({ value: `service:${s.name}`, label: s.name, kind: 'service' as const, name: s.name })),
    ...workflows.map((w) => ({ value: `workflow:${w.name}`, label: `workflow ${w.name}`, kind: 'workflow' as const, name: w.name })),
  ];
}

/** The fields whose problems the host names are shown at the field, not in a notice. */
const CHECKED_FIELDS = ['name', 'cron', 'timezone'];

/**
 * A text field with the host's problem for it underneath. The label is the input's name and the problem
 * its description, so a screen reader says "Cron, invalid, minute '61' is not a minute (0..59)"; with no
 * problem, `describedBy` (the next fires) describes it.
 */
function CheckedField(props: { label: string; value: string; onChange(value: string): void; placeholder: string; problem: string | null; describedBy?: string | undefined }) {
  const id = useId();
  const { label, value, onChange, placeholder, problem, describedBy } = props;
  return (
    <label className="field">
      <span id={`${id}-label`}>{label}</span>
      <input
        className="mono"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        aria-labelledby={`${id}-label`}
        aria-describedby={problem ? `${id}-problem` : describedBy}
        aria-invalid={problem ? true : undefined}
      />
      {problem ? (
        <span id={`${id}-problem`} className="text-bad field-problem" role="alert">
          {problem}
        </span>
      ) : null}
    </label>
  );
}

/** When the cron being typed fires next, in its zone and the viewer's: what Add would make, before it is made. */
function NextFires({ id, fires, zone, viewer }: { id: string; fires: string[]; zone: string; viewer: string }) {
  return (
    <div id={id} className="schedule-check muted small" role="status">
      {fires.length === 0 ? (
        'Fires nothing again.'
      ) : (
        <>
          Fires next:{' '}
          {fires.map((at, i) => (
            <span key={at}>
              {i > 0 ? '; ' : null}
              <ScheduleTime iso={at} zone={zone} viewer={viewer} />
            </span>
          ))}
        </>
      )}
    </div>
  );
}

/**
 * Adds an operator's schedule. The cron and the zone are checked as they are typed (once typing pauses),
 * in the words the add would be refused with, and the next fires are shown: nothing is added to find out.
 */
export function AddScheduleForm({ home, viewer, onAdded }: { home: string; viewer: string; onAdded(schedule: ScheduleView): void }) {
  const registry = useCall('registry.get', {});
  const workflows = useCall('workflows.list', {}, { staleTime: 60_000 });
  const add = useAction('schedules.add');
  const [name, setName] = useState('');
  const [target, setTarget] = useState('');
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState(home);
  const [missed, setMissed] = useState<MissedPolicy>('skip');
  const [payload, setPayload] = useState('');
  const targets = targetsOf(registry.data?.services ?? [], workflows.data?.workflows ?? []);
  const chosen = targets.find((t) => t.value === target) ?? targets[0];
  const checked = useScheduleCheck(cron, timezone);
  const firesId = useId();
  // A field's problem stays while it holds what was sent, and goes once it is edited; the live check's is for what it holds now.
  const sentProblem = (field: 'name' | 'cron' | 'timezone', now: string) => (add.variables?.[field] === now.trim() ? fieldProblem(add.error, field) : null);
  const problemAt = (field: 'name' | 'cron' | 'timezone', now: string) =>
    (field === 'name' ? null : checked?.problems.find((p) => p.field === field)?.message) ?? sentProblem(field, now);
  const fires = checked?.ok ? checked.next_fires : null;

  return (
    <form
      className="filters-row fields-top"
      aria-label="Add a schedule"
      onSubmit={(event) => {
        event.preventDefault();
        let parsed: z.infer<ReturnType<typeof z.json>> | undefined;
        try {
          parsed = payload.trim() ? z.json().parse(JSON.parse(payload)) : undefined;
        } catch (e) {
          notify('bad', `The payload is not JSON: ${e instanceof Error ? e.message : String(e)}`);
          return;
        }
        if (!chosen) return;
        add.mutate(
          {
            name: name.trim(),
            ...(chosen.kind === 'workflow' ? { workflow: chosen.name } : { service: chosen.name }),
            cron: cron.trim(),
            // Left empty, the zone is the contract's default, UTC: what the field's placeholder says.
            ...(timezone.trim() ? { timezone: timezone.trim() } : {}),
            missed,
            ...(parsed === undefined ? {} : { payload: parsed }),
          },
          {
            onSuccess(added) {
              notify('ok', `Schedule ${added.name} added.`);
              setName('');
              setCron('');
              setPayload('');
              onAdded(added);
            },
            // Problems with the fields are shown at them; anything else (an unknown service, a refused payload) in a notice.
            onError: (e) => {
              if (!onlyFieldProblems(e, CHECKED_FIELDS)) notify('bad', errorMessage(e));
            },
          },
        );
      }}
    >
      <CheckedField label="Name" value={name} onChange={setName} placeholder="nightly_report" problem={problemAt('name', name)} />
      <label className="field">
        <span>Service or workflow</span>
        <select value={chosen?.value ?? ''} onChange={(e) => setTarget(e.target.value)}>
          {targets.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </label>
      <CheckedField label="Cron" value={cron} onChange={setCron} placeholder="30 2 * * *" problem={problemAt('cron', cron)} describedBy={fires ? firesId : undefined} />
      <CheckedField label="Time zone" value={timezone} onChange={setTimezone} placeholder="empty: UTC" problem={problemAt('timezone', timezone)} />
      <label className="field">
        <span>After a downtime</span>
        <select value={missed} onChange={(e) => setMissed(POLICIES.find((p) => p.value === e.target.value)?.value ?? 'skip')}>
          {POLICIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field field-grow">
        <span>Payload (JSON, optional)</span>
        <input className="mono" value={payload} onChange={(e) => setPayload(e.target.value)} placeholder='{"args": ["--full"]}' autoComplete="off" spellCheck={false} />
      </label>
      {/* Under a label's height of nothing, level with the fields' inputs whatever problem lies under one of them. */}
      <div className="field">
        <span aria-hidden="true">&nbsp;</span>
        <button type="submit" className="button-primary" disabled={!name.trim() || !cron.trim() || !chosen || add.isPending}>
          {add.isPending ? 'Adding…' : 'Add schedule'}
        </button>
      </div>
      {fires && checked ? <NextFires id={firesId} fires={fires} zone={checked.timezone} viewer={viewer} /> : null}
    </form>
  );
}
