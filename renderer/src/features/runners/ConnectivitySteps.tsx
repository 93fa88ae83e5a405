import type { ServiceConnectivity } from '../../../../shared/connectivity.ts';
import { Badge } from '../../components/StatusBadge.tsx';
import { Verdict } from './Verdict.tsx';
import { formatMs } from '../../lib/format.ts';

/** What a connectivity test found, step by step, each timed: of a service's path or of a URL given alone. */
export function ConnectivitySteps({ result }: { result: ServiceConnectivity }) {
  return (
    <>
      <p className="small">
        {result.method} <span className="mono">{result.url}</span>
        {result.jobs_call === null ? '' : ` (${result.jobs_call})`}, each step waiting at most {result.timeout_s}s ({result.timeout_from})
      </p>
      <ul className="plain-list small" aria-label={`Connectivity of ${result.service ?? result.base_url}`}>
        {result.steps.map((step) => (
          <li key={step.step}>
            {step.ok && step.warning ? <Badge tone="warn">warn</Badge> : <Verdict ok={step.ok} />} <span className="mono">{step.step}</span> {formatMs(step.ms)}: {step.detail}
          </li>
        ))}
      </ul>
    </>
  );
}
