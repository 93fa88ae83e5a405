import type { HealthReport } from '../../../../shared/contract.ts';
import type { HealthCheck } from '../../../../shared/domain.ts';
import type { TokenCheck } from '../../../../shared/connectivity.ts';
import { Badge } from '../../components/StatusBadge.tsx';
import { errorMessage } from '../../lib/callError.ts';
import { useAction, useCall } from '../../lib/calls.ts';
import { downloadBase64 } from '../../lib/download.ts';
import { formatBytes } from '../../lib/format.ts';
import { ConnectivitySteps } from './ConnectivitySteps.tsx';
import { DiagnosisView } from './DiagnosisView.tsx';
import { UrlConnectivity } from './UrlConnectivity.tsx';
import { Verdict } from './Verdict.tsx';
import { withTimes } from '../../../../shared/timesInText.ts';
import { healthShown } from './healthShown.ts';
import { useTimes } from '../../lib/useTimes.ts';

type AuthType = TokenCheck['auth_type'];

function HealthChecks({ checks, label }: { checks: HealthCheck[]; label: string }) {
  const times = useTimes();
  return (
    <ul className="plain-list" aria-label={label}>
      {checks.map((check) => (
        <li key={check.name}>
          {check.ok && check.warning ? <Badge tone="warn">warn</Badge> : <Verdict ok={check.ok} />} <span className="mono">{check.name}</span>: {withTimes(check.detail, times.time)}
        </li>
      ))}
    </ul>
  );
}

const warned = (report: HealthReport) => report.checks.filter((c) => c.ok && c.warning).length;

function HealthSummary({ report, label }: { report: HealthReport; label: string }) {
  return (
    <div role="status" aria-label={label}>
      <p>
        <Verdict ok={report.ok} /> {report.ok ? 'Every check passed.' : `${report.checks.filter((c) => !c.ok).length} check(s) failed.`}
        {warned(report) > 0 ? ` ${warned(report)} worth a look.` : ''}
      </p>
      <HealthChecks checks={report.checks} label={label} />
    </div>
  );
}

/** Not tested (nothing was sent, the detail says why) is not the same as an answer that could not be read. */
function TokenVerdict({ result }: { result: TokenCheck }) {
  if (!result.tested) return <Badge tone="muted">not tested</Badge>;
  if (result.accepted === null) return <Badge tone="muted">cannot tell</Badge>;
  return <Verdict ok={result.accepted} />;
}

/** The detail names the variables it speaks of: listing them again beside it said everything twice. */
function Token({ result }: { result: TokenCheck }) {
  return (
    <p className="small" role="status">
      <TokenVerdict result={result} /> {result.detail}
    </p>
  );
}

function Credential({ service, authType }: { service: string; authType: AuthType | null }) {
  const token = useAction('runners.validateToken');
  if (authType === 'none') return <span className="muted small">No token to validate: {service} sends none (auth_type: none).</span>;
  return (
    <>
      <button type="button" className="button-small" aria-label={`Validate token of ${service}`} disabled={token.isPending} onClick={() => token.mutate({ service })}>
        Validate token
      </button>
      {token.isError ? <p role="alert" className="text-bad small">{errorMessage(token.error)}</p> : null}
      {token.data ? <Token result={token.data} /> : null}
    </>
  );
}

function HttpServiceRow({ service, authType }: { service: string; authType: AuthType | null }) {
  const connectivity = useAction('runners.connectivity');
  return (
    <tr>
      <th scope="row" className="mono">
        {service}
      </th>
      <td>
        <button type="button" className="button-small" aria-label={`Test connectivity of ${service}`} disabled={connectivity.isPending} onClick={() => connectivity.mutate({ service })}>
          Test connectivity
        </button>
        {connectivity.isError ? <p role="alert" className="text-bad small">{errorMessage(connectivity.error)}</p> : null}
        {connectivity.data?.services.map((result) => <ConnectivitySteps key={result.base_url} result={result} />)}
      </td>
      <td>
        <Credential service={service} authType={authType} />
      </td>
    </tr>
  );
}

/**
 * The runbooks' first diagnoses, one click each: health-check, diagnose, support-bundle, test-connectivity
 * of a URL typed in, and for each HTTP service test-connectivity (DNS, TCP, TLS, HTTP, timed) and validate-token. Nothing here changes
 * anything; a support bundle is recorded in the audit log, since what is in it leaves the store.
 */
export function DiagnosticsPanel() {
  const health = useAction('health.check');
  const diagnosis = useAction('support.diagnose');
  // `opsdeck support-bundle` from the console: the same .tar.gz, downloaded by the browser.
  const bundle = useAction('support.bundle', { onSuccess: (result) => downloadBase64(result.file_name, result.content_base64, 'application/gzip') });
  const runners = useCall('runners.list', {});
  const registry = useCall('registry.get', {});
  const httpServices = runners.data?.runners.find((r) => r.kind === 'http')?.services ?? [];
  const authTypes = new Map(registry.data?.services.map((s) => [s.name, s.auth_type]));
  const shown = healthShown(health.data ? health.submittedAt : null, diagnosis.data ? diagnosis.submittedAt : null);
  return (
    <section className="panel" aria-labelledby="diagnostics-title">
      <header className="panel-header">
        <h2 id="diagnostics-title">Diagnostics</h2>
        <span className="spacer" />
        <button type="button" disabled={health.isPending} onClick={() => health.mutate({})}>
          {health.isPending ? 'Checking…' : 'Run health check'}
        </button>
        <button type="button" disabled={diagnosis.isPending} onClick={() => diagnosis.mutate({})}>
          {diagnosis.isPending ? 'Diagnosing…' : 'Diagnose'}
        </button>
        <button type="button" disabled={bundle.isPending} onClick={() => bundle.mutate({})}>
          {bundle.isPending ? 'Packing…' : 'Download support bundle'}
        </button>
      </header>
      {health.isError ? <p role="alert" className="text-bad">{errorMessage(health.error)}</p> : null}
      {diagnosis.isError ? <p role="alert" className="text-bad">{errorMessage(diagnosis.error)}</p> : null}
      {bundle.isError ? <p role="alert" className="text-bad">{errorMessage(bundle.error)}</p> : null}
      {bundle.data ? (
        <p role="status" className="small">
          Support bundle {bundle.data.file_name} handed to the browser to save ({formatBytes(bundle.data.bytes)}: {bundle.data.files.join(', ')}); secret
          values are redacted.
          {bundle.data.audited ? null : <span className="text-bad"> The audit log did not take this download: the store refused the write.</span>}
        </p>
      ) : null}
      {diagnosis.data ? (
        <DiagnosisView diagnosis={diagnosis.data} health={shown === 'diagnosis' ? <HealthSummary report={diagnosis.data.health} label="Diagnosis health checks" /> : null} />
      ) : null}
      {health.data && shown === 'health' ? <HealthSummary report={health.data} label="Health checks" /> : null}
      <UrlConnectivity />
      {httpServices.length > 0 ? (
        <table className="table">
          <caption className="sr-only">HTTP services: connectivity and credentials</caption>
          <thead>
            <tr>
              <th scope="col">HTTP service</th>
              <th scope="col">Connectivity</th>
              <th scope="col">Credential</th>
            </tr>
          </thead>
          <tbody>
            {httpServices.map((service) => (
              <HttpServiceRow key={service} service={service} authType={authTypes.get(service) ?? null} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
