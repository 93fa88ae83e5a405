import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AlertRule, AlertView } from '../../../../shared/alerts.ts';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { SortedHeader } from '../../components/SortedHeader.tsx';
import { Badge, type Tone } from '../../components/StatusBadge.tsx';
import { errorMessage } from '../../lib/callError.ts';
import { useAction, useCall } from '../../lib/calls.ts';
import { useClient } from '../../lib/clientContext.ts';
import { formatAgo } from '../../lib/format.ts';
import { notify } from '../../lib/notices.ts';
import { useNow } from '../../lib/useNow.ts';
import { AckDialog } from './AckDialog.tsx';
import { RuleDialog } from './RuleDialog.tsx';
import { channelText, isSilenced, notFiringText, ruleCondition, SILENCE_CHOICES } from './alertText.ts';
import { useTimes } from '../../lib/useTimes.ts';
import { withTimes } from '../../../../shared/timesInText.ts';

const SEVERITY_TONE: Record<string, Tone> = { critical: 'bad', warning: 'warn', info: 'info' };
const EVENT_TONE: Record<string, Tone> = { firing: 'bad', resolved: 'ok', delivered: 'muted', delivery_failed: 'warn' };

function SilenceControl({ view }: { view: AlertView }) {
  const times = useTimes();
  const queryClient = useQueryClient();
  const silence = useAction('alerts.silence');
  const now = useNow();
  const silenced = isSilenced(view.state, now);

  function apply(minutes: number): void {
    silence.mutate(
      { rule: view.name, minutes },
      {
        onSuccess(state) {
          void queryClient.invalidateQueries({ queryKey: ['alerts.list'] });
          notify('info', state.silenced_until ? `${view.name} silenced until ${times.time(state.silenced_until)}.` : `${view.name} is no longer silenced.`);
        },
        onError(error) {
          notify('bad', errorMessage(error));
        },
      },
    );
  }

  if (silenced) {
    return (
      <button type="button" className="button-small" disabled={silence.isPending} aria-label={`Lift the silence of ${view.name}`} onClick={() => apply(0)}>
        Lift silence
      </button>
    );
  }
  return (
    <label className="field field-inline">
      <span className="sr-only">Silence {view.name} for</span>
      <select
        value=""
        disabled={silence.isPending || view.state === null}
        onChange={(event) => {
          const minutes = Number(event.target.value);
          if (minutes > 0) apply(minutes);
        }}
      >
        <option value="">Silence…</option>
        {SILENCE_CHOICES.map((c) => (
          <option key={c.minutes} value={c.minutes}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function FiringTable({ firing, onAck }: { firing: AlertView[]; onAck(rule: string): void }) {
  const times = useTimes();
  const now = useNow();
  return (
    <table className="table">
      <caption className="sr-only">Alerts firing now</caption>
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">Severity</th>
          <SortedHeader order="ascending">Firing since</SortedHeader>
          <th scope="col">What was measured</th>
          <th scope="col">Acknowledged</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {firing.map((view) => {
          const state = view.state;
          return (
            <tr key={view.name} className={state?.severity === 'critical' ? 'row-bad' : 'row-warn'}>
              <th scope="row" className="mono">
                {view.name}
              </th>
              <td>
                <Badge tone={SEVERITY_TONE[state?.severity ?? 'warning'] ?? 'warn'}>{state?.severity ?? 'warning'}</Badge>
                {isSilenced(state, now) ? <div className="muted small">silenced until {times.time(state?.silenced_until)}</div> : null}
              </td>
              <td className="nowrap" title={times.time(state?.since)}>
                {formatAgo(state?.since, now)}
              </td>
              <td className="wrap">{state ? withTimes(state.summary, times.time) : null}</td>
              <td className="wrap small">{state?.acked_by ? `${state.acked_by}: ${state.ack_note ?? ''}` : <span className="muted">not yet</span>}</td>
              <td>
                <div className="button-row nowrap-row">
                  <button type="button" className="button-small" aria-label={`Acknowledge ${view.name}`} onClick={() => onAck(view.name)}>
                    Acknowledge
                  </button>
                  <SilenceControl view={view} />
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function RuleActions({ view, onEdit }: { view: AlertView; onEdit(rule: AlertRule): void }) {
  const queryClient = useQueryClient();
  const remove = useAction('alerts.deleteRule');
  const rule = view.rule;
  if (view.source !== 'console' || !rule) return null;
  return (
    <>
      <button type="button" className="button-small" aria-label={`Edit rule ${view.name}`} onClick={() => onEdit(rule)}>
        Edit
      </button>
      <button
        type="button"
        className="button-small button-danger-outline"
        aria-label={`Delete rule ${view.name}`}
        disabled={remove.isPending}
        onClick={() =>
          remove.mutate(
            { name: view.name },
            {
              onSuccess() {
                void queryClient.invalidateQueries({ queryKey: ['alerts.list'] });
                notify('ok', `Deleted alert rule ${view.name} (the audit log keeps it).`);
              },
              onError(error) {
                notify('bad', errorMessage(error));
              },
            },
          )
        }
      >
        Delete
      </button>
    </>
  );
}

function RulesTable({ alerts, onEdit }: { alerts: AlertView[]; onEdit(rule: AlertRule): void }) {
  const now = useNow();
  return (
    <table className="table">
      <caption className="sr-only">Alert rules</caption>
      <thead>
        <tr>
          <SortedHeader order="ascending">Rule</SortedHeader>
          <th scope="col">State</th>
          <th scope="col">Fires when</th>
          <th scope="col">Channels</th>
          <th scope="col">Defined in</th>
          <th scope="col">Last evaluated</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((view) => (
          <tr key={view.name}>
            <th scope="row" className="mono">
              {view.name}
            </th>
            <td>
              {view.state === null ? <span className="muted">not evaluated yet</span> : <Badge tone={view.state.firing ? 'bad' : 'ok'}>{view.state.firing ? 'firing' : 'ok'}</Badge>}
              {isSilenced(view.state, now) ? <div className="muted small">silenced</div> : null}
            </td>
            <td className="wrap">{view.rule ? ruleCondition(view.rule) : <span className="muted">not in this console's registry</span>}</td>
            <td className="small">{view.rule ? view.rule.channels.map(channelText).join(', ') || '—' : '—'}</td>
            <td className="small">{view.source === 'console' ? 'console' : view.source === 'registry' ? 'registry file' : '—'}</td>
            <td className="nowrap">{formatAgo(view.state?.evaluated_at, now)}</td>
            <td>
              <div className="button-row nowrap-row">
                <SilenceControl view={view} />
                <RuleActions view={view} onEdit={onEdit} />
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function History() {
  const times = useTimes();
  const client = useClient();
  const query = useInfiniteQuery({
    queryKey: ['alerts.history', {}],
    queryFn: ({ pageParam }) => client.call('alerts.history', { after: pageParam, limit: 100 }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: 15_000,
  });
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];
  if (query.isPending) return <Loading label="Loading the alert history…" />;
  if (query.isError) return <ErrorState what="the alert history" error={query.error} onRetry={() => void query.refetch()} />;
  if (events.length === 0) return <Empty title="No alert has fired yet." />;
  return (
    <>
      <table className="table">
        <caption className="sr-only">Alert history, newest first</caption>
        <thead>
          <tr>
            <SortedHeader order="descending">When</SortedHeader>
            <th scope="col">Rule</th>
            <th scope="col">Event</th>
            <th scope="col">Channel</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td className="nowrap">{times.time(e.at)}</td>
              <th scope="row" className="mono">
                {e.rule}
              </th>
              <td>
                <Badge tone={EVENT_TONE[e.kind] ?? 'muted'}>{e.kind.replace('_', ' ')}</Badge>
              </td>
              <td className="mono small">{e.channel ?? '—'}</td>
              <td className="wrap">{withTimes(e.summary, times.time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {query.hasNextPage ? (
        <button type="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? 'Loading…' : 'Load older events'}
        </button>
      ) : null}
    </>
  );
}

function NotFiring({ rules }: { rules: number }) {
  const { title, detail } = notFiringText(rules);
  return <Empty title={title}>{detail}</Empty>;
}

export function AlertsPage() {
  const alerts = useCall('alerts.list', {}, { refetchInterval: 5000 });
  const [acking, setAcking] = useState<string | null>(null);
  /** The rule being written: null for a new one; undefined while no editor is open. */
  const [editing, setEditing] = useState<AlertRule | null | undefined>(undefined);
  const firing = alerts.data?.alerts.filter((a) => a.state?.firing) ?? [];
  return (
    <div className="page">
      <header className="page-header">
        <h1>Alerts</h1>
        <span className="muted small">Rules of the registry file are read-only here; rules written here are kept in the store. One process of the fleet evaluates them.</span>
      </header>
      <section className="panel" aria-labelledby="alerts-firing">
        <h2 id="alerts-firing">Firing now</h2>
        {alerts.isPending ? (
          <Loading label="Loading alerts…" />
        ) : alerts.isError ? (
          <ErrorState what="alerts" error={alerts.error} onRetry={() => void alerts.refetch()} />
        ) : firing.length === 0 ? (
          <NotFiring rules={alerts.data.alerts.length} />
        ) : (
          <FiringTable firing={firing} onAck={setAcking} />
        )}
      </section>
      <section className="panel" aria-labelledby="alerts-rules">
        <div className="panel-header">
          <h2 id="alerts-rules">Rules</h2>
          <button type="button" className="button-small" onClick={() => setEditing(null)}>
            New rule
          </button>
        </div>
        {alerts.data && alerts.data.alerts.length === 0 ? (
          <Empty title="No alert rules.">Write one here, or add alerts: to the registry: failure_rate, dead_letters, oldest_due, breaker_open, worker_lost, no_live_worker.</Empty>
        ) : alerts.data ? (
          <RulesTable alerts={alerts.data.alerts} onEdit={setEditing} />
        ) : null}
      </section>
      <section className="panel" aria-labelledby="alerts-history">
        <h2 id="alerts-history">History</h2>
        <History />
      </section>
      {acking ? <AckDialog rule={acking} onClose={() => setAcking(null)} /> : null}
      {editing !== undefined ? <RuleDialog rule={editing} onClose={() => setEditing(undefined)} /> : null}
    </div>
  );
}
