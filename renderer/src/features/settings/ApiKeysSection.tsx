import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiKeyScope } from '../../../../shared/apiKey.ts';
import { useAction, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { ErrorState, Loading } from '../../components/States.tsx';
import { Badge } from '../../components/StatusBadge.tsx';
import { Time } from '../../components/Time.tsx';

const EXPIRY_DAYS = [
  { label: 'Never', days: null },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
] as const;

/**
 * Keys of the REST API: who may call it, with what scope, last used when. A new key is shown once, in
 * this panel only, until the operator dismisses it; only its hash is kept, so it cannot be shown again.
 */
export function ApiKeysSection() {
  const queryClient = useQueryClient();
  const keys = useCall('apiKeys.list', {});
  const create = useAction('apiKeys.create');
  const revoke = useAction('apiKeys.revoke');
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKeyScope>('read');
  const [expiry, setExpiry] = useState(0);
  const [shown, setShown] = useState<{ name: string; secret: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['apiKeys.list'] });

  return (
    <section className="panel" aria-labelledby="keys-title">
      <header className="panel-header">
        <h2 id="keys-title">API keys</h2>
      </header>
      <p className="muted">
        For scripts and monitors calling the REST API (<span className="mono">/v1</span>). A read key may only look, and not at what shows this host's
        configuration (a diagnosis, a support bundle); an operate key may also act. What a key does is audited under its name.
      </p>
      {shown ? (
        <div className="callout callout-ok" role="status">
          <strong>Key {shown.name} created. Copy it now: it is shown only this once.</strong>
          <p className="mono" aria-label={`API key ${shown.name}`}>
            {shown.secret}
          </p>
          <button type="button" onClick={() => setShown(null)}>
            I have stored it
          </button>
        </div>
      ) : null}
      {keys.isPending ? <Loading label="Loading API keys…" /> : null}
      {keys.isError ? <ErrorState what="API keys" error={keys.error} onRetry={() => void keys.refetch()} /> : null}
      {keys.data && keys.data.keys.length > 0 ? (
        <table className="table" aria-label="API keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.keys.map((k) => (
              <tr key={k.name}>
                <td className="mono">{k.name}</td>
                <td>{k.scope}</td>
                <td title={k.created_by}><Time iso={k.created_at} /></td>
                <td>{k.last_used_at ? <Time iso={k.last_used_at} /> : 'never'}</td>
                <td>
                  {k.expires_at ? <Time iso={k.expires_at} /> : 'never'}
                  {k.expired ? (
                    <>
                      {' '}
                      <Badge tone="bad" title="Refused since then (401): revoke it, and create its successor">
                        expired
                      </Badge>
                    </>
                  ) : null}
                </td>
                <td>
                  <button
                    type="button"
                    className={confirming === k.name ? 'button-danger' : undefined}
                    disabled={revoke.isPending}
                    aria-label={confirming === k.name ? `Confirm: revoke API key ${k.name}` : `Revoke API key ${k.name}`}
                    onClick={() => {
                      if (confirming !== k.name) {
                        setConfirming(k.name);
                        return;
                      }
                      revoke.mutate(
                        { name: k.name },
                        {
                          onSuccess() {
                            notify('ok', `API key ${k.name} revoked.`);
                            setConfirming(null);
                            refresh();
                          },
                          onError: (e) => notify('bad', errorMessage(e)),
                        },
                      );
                    }}
                  >
                    {confirming === k.name ? 'Confirm revoke' : 'Revoke'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : keys.data ? (
        <p className="muted">No API keys yet.</p>
      ) : null}
      <form
        className="filters-row"
        aria-label="Create an API key"
        onSubmit={(event) => {
          event.preventDefault();
          const days = EXPIRY_DAYS[expiry]?.days ?? null;
          create.mutate(
            { name: name.trim(), scope, ...(days === null ? {} : { expires_in_days: days }) },
            {
              onSuccess(created) {
                setShown({ name: created.key.name, secret: created.secret });
                setName('');
                refresh();
              },
              onError: (e) => notify('bad', errorMessage(e)),
            },
          );
        }}
      >
        <label className="field field-grow">
          <span>Key name</span>
          <input className="mono" value={name} onChange={(event) => setName(event.target.value)} placeholder="ci-bot" autoComplete="off" spellCheck={false} />
        </label>
        <label className="field">
          <span>Scope</span>
          <select value={scope} onChange={(event) => setScope(event.target.value === 'operate' ? 'operate' : 'read')}>
            <option value="read">read</option>
            <option value="operate">operate</option>
          </select>
        </label>
        <label className="field">
          <span>Expires</span>
          <select value={expiry} onChange={(event) => setExpiry(Number(event.target.value))}>
            {EXPIRY_DAYS.map((e, i) => (
              <option key={e.label} value={i}>
                {e.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button-primary" disabled={!name.trim() || create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
      </form>
    </section>
  );
}
