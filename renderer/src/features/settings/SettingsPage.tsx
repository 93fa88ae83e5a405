import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RegistryProblem } from '../../../../shared/registry.ts';
import { callKey, useAction, useCall } from '../../lib/calls.ts';
import { CallError, errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { ErrorState, Loading } from '../../components/States.tsx';
import { ApiKeysSection } from './ApiKeysSection.tsx';
import { LogsSection } from './LogsSection.tsx';
import { ConsolePreferences } from './ConsolePreferences.tsx';
import { RetentionPanel } from './RetentionPanel.tsx';
import { Time } from '../../components/Time.tsx';
import { retryText } from '../../../../shared/retryText.ts';

/** Each problem as validate-config prints it: file:line:col path: message. */
function ProblemList({ problems, file }: { problems: RegistryProblem[]; file: string | null }) {
  return (
    <ul className="problems">
      {problems.map((p, i) => (
        <li key={i} className="mono">
          {file ?? 'registry'}
          {p.line !== null ? `:${p.line}${p.col !== null ? `:${p.col}` : ''}` : ''} {p.path}: {p.message}
          {p.severity === 'warning' ? ' (warning)' : ''}
        </li>
      ))}
    </ul>
  );
}

function Problems({ problems, file }: { problems: RegistryProblem[]; file: string | null }) {
  if (problems.length === 0) return null;
  const errors = problems.filter((p) => p.severity !== 'warning').length;
  return (
    <div className={`callout ${errors > 0 ? 'callout-bad' : 'callout-warn'}`} role="alert">
      <strong>
        {errors > 0 ? `The registry was refused: ${errors} problem${errors === 1 ? '' : 's'}. The last good registry stays loaded.` : 'Loaded with warnings.'}
      </strong>
      <ProblemList problems={problems} file={file} />
    </div>
  );
}

/**
 * validate-config from the console: the file checked without loading it, the running registry untouched.
 * `file` is the path that was sent, never the field's current text: the result is that file's.
 */
function Validation({ result, file }: { result: { ok: boolean; problems: RegistryProblem[]; services: number }; file: string }) {
  return (
    <div className={`callout ${result.ok ? (result.problems.length > 0 ? 'callout-warn' : '') : 'callout-bad'}`} role="status">
      <strong>
        {result.ok ? `Valid: ${result.services} service${result.services === 1 ? '' : 's'}; nothing was loaded.` : `Not valid: it would be refused; nothing was loaded.`}
      </strong>{' '}
      <span className="mono small">{file}</span>
      {result.problems.length > 0 ? <ProblemList problems={result.problems} file={file} /> : null}
    </div>
  );
}

/** A refused load: the host lists each problem already placed as file:line:col. */
function LoadError({ error }: { error: Error }) {
  const issues = error instanceof CallError ? (error.issues ?? []) : [];
  return (
    <div className="callout callout-bad" role="alert">
      <strong>{error.message}</strong>
      {issues.length > 0 ? (
        <ul className="problems">
          {issues.map((issue, i) => (
            <li key={i} className="mono">
              {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ConnectionSection() {
  const queryClient = useQueryClient();
  const settings = useCall('settings.get', {});
  const test = useAction('settings.testConnection');
  const change = useAction('settings.setConnection');
  const local = useAction('settings.setLocalExecution');
  const [url, setUrl] = useState('');

  if (settings.isPending) return <Loading label="Loading settings…" />;
  if (settings.isError) return <ErrorState what="settings" error={settings.error} onRetry={() => void settings.refetch()} />;
  const s = settings.data;

  return (
    <>
      <section className="panel" aria-labelledby="conn-title">
        <header className="panel-header">
          <h2 id="conn-title">Connection</h2>
        </header>
        <dl className="facts">
          <div>
            <dt>Store</dt>
            <dd className="mono">{s.connection}</dd>
          </div>
          <div>
            <dt>Dialect</dt>
            <dd>{s.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}</dd>
          </div>
          <div>
            <dt>Acting as</dt>
            <dd className="mono">{s.actor}</dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd className="mono">{s.version}</dd>
          </div>
        </dl>
        <form
          className="filters-row"
          onSubmit={(event) => {
            event.preventDefault();
            change.mutate(
              { url: url.trim() },
              {
                onSuccess(view) {
                  queryClient.setQueryData(callKey('settings.get', {}), view);
                  notify('ok', `Switched to ${view.connection}.`);
                  setUrl('');
                  void queryClient.invalidateQueries();
                },
                onError: (e) => notify('bad', errorMessage(e)),
              },
            );
          }}
        >
          <label className="field field-grow">
            <span>Store URL or SQLite file</span>
            <input className="mono" value={url} onChange={(event) => setUrl(event.target.value)} placeholder="postgres://user@host:5432/db or /path/to/opsdeck.db" autoComplete="off" spellCheck={false} />
          </label>
          <button type="button" disabled={!url.trim() || test.isPending} onClick={() => test.mutate({ url: url.trim() })}>
            {test.isPending ? 'Testing…' : 'Test'}
          </button>
          <button type="submit" className="button-primary" disabled={!url.trim() || change.isPending}>
            {change.isPending ? 'Switching…' : 'Switch'}
          </button>
        </form>
        {test.data ? (
          <p className={`callout ${!test.data.ok ? 'callout-bad' : test.data.warning ? 'callout-warn' : 'callout-ok'}`} role="status">
            {test.data.message}
          </p>
        ) : test.error ? (
          <p className="callout callout-bad" role="alert">
            {errorMessage(test.error)}
          </p>
        ) : null}
        <label className="field field-check">
          <input
            type="checkbox"
            checked={s.local_execution}
            disabled={local.isPending}
            onChange={(event) =>
              local.mutate(
                { enabled: event.target.checked },
                {
                  onSuccess(view) {
                    queryClient.setQueryData(callKey('settings.get', {}), view);
                    void queryClient.invalidateQueries({ queryKey: ['workers.list'] });
                  },
                  onError: (e) => notify('bad', errorMessage(e)),
                },
              )
            }
          />
          <span>
            This console also runs jobs (local execution)
            <span className="muted small block">
              {s.dialect === 'postgres' ? 'On a shared PostgreSQL store, leave this off unless this machine should join the worker fleet.' : 'On a local SQLite store this console is the worker.'}
            </span>
          </span>
        </label>
      </section>
    </>
  );
}

function RegistrySection() {
  const queryClient = useQueryClient();
  const registry = useCall('registry.get', {});
  const load = useAction('registry.load');
  const validate = useAction('registry.validate');
  const [path, setPath] = useState('');
  const current = registry.data?.path ?? '';
  useEffect(() => setPath((p) => p || current), [current]);
  // A result belongs to the file it was found in: typing another path clears it rather than relabel it.
  const changePath = (next: string) => {
    setPath(next);
    validate.reset();
    load.reset();
  };

  return (
    <section className="panel" aria-labelledby="reg-title">
      <header className="panel-header">
        <h2 id="reg-title">Service registry</h2>
      </header>
      {registry.isPending ? (
        <Loading label="Loading the registry…" />
      ) : registry.isError ? (
        <ErrorState what="the registry" error={registry.error} onRetry={() => void registry.refetch()} />
      ) : (
        <>
          <p className="muted small">
            {registry.data.path ? (
              <>
                <span className="mono">{registry.data.path}</span>, loaded <Time iso={registry.data.loaded_at} />, {registry.data.services.length} services.
              </>
            ) : (
              'No registry loaded.'
            )}
          </p>
          <form
            className="filters-row"
            onSubmit={(event) => {
              event.preventDefault();
              // One result at a time: a validation of another file must not sit above this load's.
              validate.reset();
              load.mutate(
                { path: path.trim() },
                {
                  onSuccess(view) {
                    queryClient.setQueryData(callKey('registry.get', {}), view);
                    const refused = view.problems.some((p) => p.severity !== 'warning');
                    notify(refused ? 'bad' : 'ok', refused ? 'Registry refused: see the problems listed.' : `Registry loaded: ${view.services.length} services.`);
                    if (!refused) for (const name of ['breakers.list', 'runners.list']) void queryClient.invalidateQueries({ queryKey: [name] });
                  },
                  onError: () => notify('bad', 'Registry refused: see the problems listed.'),
                },
              );
            }}
          >
            <label className="field field-grow">
              <span>Registry file</span>
              <input className="mono" value={path} onChange={(event) => changePath(event.target.value)} placeholder="/path/to/registry.yaml" spellCheck={false} />
            </label>
            <button
              type="button"
              disabled={!path.trim() || validate.isPending}
              onClick={() => {
                load.reset();
                validate.mutate({ path: path.trim() });
              }}
            >
              {validate.isPending ? 'Validating…' : 'Validate'}
            </button>
            <button type="submit" className="button-primary" disabled={!path.trim() || load.isPending}>
              {load.isPending ? 'Loading…' : 'Load'}
            </button>
          </form>
          {validate.isError ? <LoadError error={validate.error} /> : null}
          {validate.data && validate.variables?.path ? <Validation result={validate.data} file={validate.variables.path} /> : null}
          {load.error ? <LoadError error={load.error} /> : <Problems problems={registry.data.problems} file={registry.data.problems_file} />}
          {registry.data.services.length > 0 ? (
            <table className="table compact">
              <caption className="sr-only">Services</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Type</th>
                  <th scope="col">Queue</th>
                  <th scope="col" className="num">Timeout</th>
                  <th scope="col" className="num">Concurrency</th>
                  <th scope="col">Retry</th>
                </tr>
              </thead>
              <tbody>
                {registry.data.services.map((svc) => (
                  <tr key={svc.name}>
                    <th scope="row" className="mono">
                      {svc.name}
                    </th>
                    <td>{svc.execution_type}</td>
                    <td className="mono">{svc.queue}</td>
                    <td className="num">{svc.timeout}s</td>
                    <td className="num">{svc.concurrency ?? '—'}</td>
                    <td>{retryText(svc.retry)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      )}
    </section>
  );
}

export function SettingsPage() {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
      <ConnectionSection />
      <RegistrySection />
      <RetentionPanel />
      <ApiKeysSection />
      <LogsSection />
      <ConsolePreferences />
    </div>
  );
}
