import { useAction, useCall } from '../../lib/calls.ts';
import { errorMessage } from '../../lib/callError.ts';
import { notify } from '../../lib/notices.ts';
import { ErrorState, Loading } from '../../components/States.tsx';

/**
 * Where this console's log is: the desktop app opens its folder; a browser host shows the path, or says
 * its log is on the terminal it was started from. Levels and formats are set where it starts.
 */
export function LogsSection() {
  const logs = useCall('settings.logs', {});
  const open = useAction('settings.openLogFolder');
  if (logs.isPending) return <Loading label="Loading the log location…" />;
  if (logs.isError) return <ErrorState what="the log location" error={logs.error} onRetry={() => void logs.refetch()} />;
  const { file, can_open: canOpen } = logs.data;
  return (
    <section className="panel" aria-labelledby="logs-title">
      <header className="panel-header">
        <h2 id="logs-title">Logs</h2>
      </header>
      {file === null ? (
        <p className="muted small">This console writes its log to the terminal it was started from (stderr).</p>
      ) : (
        <dl className="facts">
          <div>
            <dt>Log file</dt>
            <dd>
              <code>{file}</code>
            </dd>
          </div>
        </dl>
      )}
      <p className="muted small">
        Level: OPSDECK_LOG_LEVEL or --log-level (error, warn, info, debug). The file holds JSON lines and rotates at 10 MB; a support bundle
        includes its end.
      </p>
      {canOpen ? (
        <div className="filters-row">
          <button
            type="button"
            disabled={open.isPending}
            onClick={() => open.mutate({}, { onError: (e) => notify('bad', errorMessage(e)) })}
          >
            Open log folder
          </button>
        </div>
      ) : null}
    </section>
  );
}
