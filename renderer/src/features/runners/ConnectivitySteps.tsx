import type { ConnectivityStep, ServiceConnectivity } from '../../../../shared/connectivity.ts';
import { Badge } from '../../components/StatusBadge.tsx';
import { Verdict } from './Verdict.tsx';
import { formatMs } from '../../lib/format.ts';

/** A step that cannot tell is neither a pass nor a failure: said in words of its own. */
function StepVerdict({ step }: { step: ConnectivityStep }) {
  if (step.ok && step.inconclusive === true) return <Badge tone="muted">inconclusive</Badge>;
  if (step.ok && step.warning === true) return <Badge tone="warn">warn</Badge>;
  return <Verdict ok={step.ok} />;
}

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
            <StepVerdict step={step} /> <span className="mono">{step.step}</span> {formatMs(step.ms)}: {step.detail}
          </li>
        ))}
      </ul>
    </>
  );
}
