import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { BreakerView, CallInput } from '../../../../shared/contract.ts';
import { callKey, useAction, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { formatAgo, formatSeconds } from '../../lib/format.ts';
import { notify } from '../../lib/notices.ts';
import { useNow } from '../../lib/useNow.ts';
import { Badge, StatusBadge } from '../../components/StatusBadge.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { effectiveState, forcedBy } from '../../../../shared/breakerRecord.ts';
import { SetAllDialog } from './SetAllDialog.tsx';
import { TuneBreakerDialog } from './TuneBreakerDialog.tsx';
import { TuneRateLimitDialog } from './TuneRateLimitDialog.tsx';
import { budgetText, ungatedView } from '../../../../shared/rateLimitTuning.ts';
import { rateUseParts } from './rateUse.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import { nextProbeText, openBreaker, type OpenBreaker } from '../../../../shared/openBreaker.ts';
import { countOf } from '../../../../shared/countText.ts';
import { Time } from '../../components/Time.tsx';
import { useTimes } from '../../lib/useTimes.ts';
import { resetAllText, SET_ALL, setAllText } from './resetAllText.ts';
import { revealBesideStickyEnds } from '../../lib/stickyEnds.ts';

type Mode = CallInput<'breakers.setMode'>['mode'];

/** The modes the header sets every breaker to at once, beside Reset all. */
const ALL_MODES = ['force_open', 'force_closed', 'auto'] as const;

const ACTIONS: Array<{ mode: Mode; label: string; className?: string }> = [
  { mode: 'force_open', label: 'Force open', className: 'button-danger-outline' },
  { mode: 'force_closed', label: 'Force closed' },
  { mode: 'auto', label: 'Auto' },
  { mode: 'reset', label: 'Reset' },
];

/**
 * When an open breaker next lets a probe through, counting down; the CLI's `next probe` in the same words.
 * Half-open with no probe running, it stays so until a job comes, which is what the operator needs to hear.
 */
function NextProbe({ breaker, open, fetchedAt }: { breaker: BreakerView; open: OpenBreaker | null; fetchedAt: number }) {
  const times = useTimes();
  const now = useNow();
  if (breaker.waiting_for_probe !== null) return <span className="small">{withTimes(breaker.waiting_for_probe, times.time)}</span>;
  if (open === null) return <span className="muted">—</span>;
  return <span>{nextProbeText(open, formatSeconds, (now - fetchedAt) / 1000)}</span>;
}

/**
 * Where a closed breaker shows its window, an open one says since when it is open: opening empties the
 * window, and its "0 / 3 (0 calls)" would read as nothing having failed.
 */
function OpenSince({ open, now }: { open: OpenBreaker; now: number }) {
  return (
    <span className="small">
      {open.forced ? 'forced open' : 'opened'} <Time iso={open.since} /> <span className="muted">({formatAgo(open.since, now)})</span>
    </span>
  );
}

function BreakerRow({ breaker, fetchedAt }: { breaker: BreakerView; fetchedAt: number }) {
  const times = useTimes();
  const queryClient = useQueryClient();
  const setMode = useAction('breakers.setMode');
  const [tuning, setTuning] = useState(false);
  const [limiting, setLimiting] = useState(false);
  const now = useNow();
  const effective = effectiveState(breaker);
  const forced = forcedBy(breaker);
  const ratio = breaker.failure_threshold > 0 ? Math.min(1, breaker.failures_in_window / breaker.failure_threshold) : 0;
  const open = openBreaker(breaker);

  /** The breaker as the call returned it, in the list, until the next poll confirms it. */
  function keep(view: BreakerView): void {
    queryClient.setQueryData(callKey('breakers.list', {}), (list: { breakers: BreakerView[] } | undefined) =>
      list ? { breakers: list.breakers.map((b) => (b.service_name === view.service_name ? view : b)) } : list,
    );
  }

  function apply(mode: Mode): void {
    setMode.mutate(
      { service: breaker.service_name, mode },
      {
        onSuccess(view) {
          keep(view);
          const forced = view.mode === 'auto' ? 'automatic' : view.mode.replace('_', ' ');
          // A breaker that opens is announced by the live announcements, for every console: not twice here.
          const opened = effectiveState(view) === 'open' && effectiveState(breaker) !== 'open';
          const already = view.changed ? '' : ' already; nothing changed';
          notify('info', `${view.service_name}: breaker ${effectiveState(view).replace('_', ' ')} (${forced})${already}.`, { announce: !opened });
        },
        onError(error) {
          notify('bad', errorMessage(error));
        },
      },
    );
  }

  return (
    <tr className={effective === 'open' ? 'row-bad' : effective === 'half_open' ? 'row-warn' : undefined}>
      <th scope="row" className="mono">
        {breaker.service_name}
      </th>
      <td>
        <StatusBadge status={effective} />
        {effective !== breaker.state ? <div className="muted small">auto: {breaker.state.replace('_', ' ')}</div> : null}
      </td>
      <td>
        {forced === null ? (
          <span className="muted">auto</span>
        ) : (
          <>
            <Badge tone={breaker.mode === 'force_open' ? 'bad' : 'warn'} title={forced.reason ?? undefined}>
              {breaker.mode.replace('_', ' ')}
            </Badge>
            {forced.by ? <div className="muted small">by {forced.by}</div> : null}
          </>
        )}
      </td>
      <td>
        {open ? (
          <OpenSince open={open} now={now} />
        ) : (
          <>
            <div className="meter" role="meter" aria-label={`Failures of ${breaker.service_name} in window`} aria-valuemin={0} aria-valuemax={breaker.failure_threshold} aria-valuenow={breaker.failures_in_window}>
              <span className="meter-fill" style={{ width: `${ratio * 100}%` }} />
            </div>
            <span className="small">
              {breaker.failures_in_window} / {breaker.failure_threshold}
              <span className="muted"> ({countOf(breaker.calls_in_window, 'call')}, min {breaker.minimum_volume})</span>
            </span>
          </>
        )}
        {breaker.tuning ? (
          <div className="small">
            <Badge tone="warn" title={breaker.tuning.reason ?? undefined}>
              tuned
            </Badge>{' '}
            <span className="muted">
              registry: threshold {breaker.registry_settings.failure_threshold}, recovery {formatSeconds(breaker.registry_settings.recovery_timeout_s)}, min {breaker.registry_settings.minimum_volume}; by {breaker.tuning.set_by}
            </span>
          </div>
        ) : null}
      </td>
      <td className={breaker.waiting_for_probe !== null ? 'wrap' : undefined}>
        <NextProbe breaker={breaker} open={open} fetchedAt={fetchedAt} />
      </td>
      <td className="num">{breaker.waiting_jobs.toLocaleString()}</td>
      <td className="small">
        {rateUseParts(breaker.rate).map((part) => (
          <div key={part}>{part}</div>
        ))}
        {breaker.rate?.waiting_reason ? <div className="muted">{withTimes(breaker.rate.waiting_reason, times.time)}</div> : rateUseParts(breaker.rate).length === 0 ? <span className="muted">—</span> : null}
        {breaker.rate?.tuning ? (
          <div>
            <Badge tone="warn" title={breaker.rate.tuning.reason ?? undefined}>
              tuned
            </Badge>{' '}
            <span className="muted">
              registry: {budgetText(breaker.rate.registry)}; by {breaker.rate.tuning.set_by}
              {breaker.rate.tuning.reason ? `: ${breaker.rate.tuning.reason}` : ''}
            </span>
          </div>
        ) : null}{' '}
        <button type="button" className="button-small" aria-label={`Change the rate limit of ${breaker.service_name}`} onClick={() => setLimiting(true)}>
          Change…
        </button>
      </td>
      <td className="nowrap">{formatAgo(breaker.last_transition_at, now)}</td>
      <td className="mono wrap error-cell" title={breaker.last_error ?? undefined}>
        {breaker.last_error === null ? <span className="muted">—</span> : times.inText(breaker.last_error)}
      </td>
      <td>
        <div className="button-row nowrap-row">
          {ACTIONS.map((action) => (
            <button
              key={action.mode}
              type="button"
              className={`button-small ${action.className ?? ''}`}
              disabled={setMode.isPending || (action.mode !== 'reset' && action.mode === breaker.mode)}
              aria-label={`${action.label} ${breaker.service_name}`}
              onClick={() => apply(action.mode)}
            >
              {action.label}
            </button>
          ))}
          <button type="button" className="button-small" aria-label={`Tune ${breaker.service_name}`} onClick={() => setTuning(true)}>
            Tune…
          </button>
        </div>
        {tuning ? (
          <TuneBreakerDialog
            breaker={breaker}
            onClose={() => setTuning(false)}
            onTuned={(view) => {
              setTuning(false);
              keep(view);
              notify('ok', view.tuning ? `${view.service_name}: breaker tuned for every worker.` : `${view.service_name}: breaker back to the registry's settings.`);
            }}
          />
        ) : null}
        {limiting ? (
          <TuneRateLimitDialog
            rate={breaker.rate ?? ungatedView(breaker.service_name)}
            onClose={() => setLimiting(false)}
            onTuned={({ changed, ...rate }) => {
              setLimiting(false);
              keep({ ...breaker, rate });
              if (!changed) notify('info', `${rate.service_name}: the rate limit was already ${rate.tuning ? budgetText(rate) : "the registry's"}; nothing changed.`);
              else notify('ok', rate.tuning ? `${rate.service_name}: rate limit ${budgetText(rate)} for every worker.` : `${rate.service_name}: rate limit back to the registry's (${budgetText(rate.registry)}).`);
            }}
          />
        ) : null}
      </td>
    </tr>
  );
}

export function BreakersPage() {
  const queryClient = useQueryClient();
  const breakers = useCall('breakers.list', {}, { refetchInterval: 15_000 });
  const [settingAll, setSettingAll] = useState<Mode | null>(null);
  const list = breakers.data?.breakers ?? [];
  return (
    <div className="page">
      <header className="page-header">
        <h1>Circuit breakers</h1>
        <span className="muted small">Force open: the service's jobs wait, they do not fail. Force closed: failures do not trip it.</span>
        <span className="spacer" />
        {ALL_MODES.map((mode) => (
          // A mode every breaker is in already has nothing to change.
          <button key={mode} type="button" className="button-danger-outline" disabled={list.every((b) => b.mode === mode)} onClick={() => setSettingAll(mode)}>
            {SET_ALL[mode].menu}
          </button>
        ))}
        <button type="button" className="button-danger-outline" disabled={list.length === 0} onClick={() => setSettingAll('reset')}>
          Reset all…
        </button>
      </header>
      {settingAll !== null ? (
        <SetAllDialog
          mode={settingAll}
          breakers={list}
          onClose={() => setSettingAll(null)}
          onDone={(result) => {
            setSettingAll(null);
            void queryClient.invalidateQueries({ queryKey: callKey('breakers.list', {}) });
            const untouched = result.breakers.length - result.changed.length;
            notify('ok', settingAll === 'reset' ? resetAllText(result.changed.length, untouched) : setAllText(settingAll, result.changed.length, untouched));
          }}
        />
      ) : null}
      <section className="panel">
        {breakers.isPending ? (
          <Loading label="Loading breakers…" />
        ) : breakers.isError ? (
          <ErrorState what="breakers" error={breakers.error} onRetry={() => void breakers.refetch()} />
        ) : breakers.data.breakers.length === 0 ? (
          <Empty title="No breakers yet.">Every service of the registry gets one.</Empty>
        ) : (
          // Wider than a narrow window once the last error has room: it scrolls within the panel, the service and its controls staying.
          <div
            className="table-overflow"
            tabIndex={0}
            role="region"
            aria-label="Circuit breakers, scrollable"
            onFocus={(event) => revealBesideStickyEnds(event.currentTarget, event.target)}
          >
            <table className="table table-sticky-ends">
              <caption className="sr-only">Circuit breakers, one per service</caption>
              <thead>
                <tr>
                  <SortedHeader order="ascending">Service</SortedHeader>
                  <th scope="col">State</th>
                  <th scope="col">Mode</th>
                  <th scope="col" title="An open breaker: since when it is open (its window counts again once it closes)">Failures / open since</th>
                  <th scope="col" title="When an open breaker next lets a probe job through">Next probe</th>
                  <th scope="col" className="num" title="Pending jobs of the service, due now or later; an open breaker holds them">Pending</th>
                  <th scope="col">Rate limit in use</th>
                  <th scope="col">Last transition</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {breakers.data.breakers.map((breaker) => (
                  <BreakerRow key={breaker.service_name} breaker={breaker} fetchedAt={breakers.dataUpdatedAt} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
