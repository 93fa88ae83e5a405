import type { ConnectivityStep, ServiceConnectivity } from '../../../../shared/connectivity.ts';
import { evidenceLines, type ServiceEvidence } from '../../../../shared/serviceEvidence.ts';
import { Badge } from '../../components/StatusBadge.tsx';
import { Verdict } from './Verdict.tsx';
import { formatMs } from '../../lib/format.ts';
import { useTimes } from '../../lib/useTimes.ts';

/** A step that cannot tell is neither a pass nor a failure: said in words of its own. */
function StepVerdict({ step }: { step: ConnectivityStep }) {
  if (step.ok && step.inconclusive === true) return <Badge tone="muted">inconclusive</Badge>;
  if (step.ok && step.warning === true) return <Badge tone="warn">warn</Badge>;
  return <Verdict ok={step.ok} />;
}

/** What the store says of the jobs whose call the check did not send: the words the CLI prints under its steps. */
function Evidence({ evidence, of }: { evidence: ServiceEvidence; of: string }) {
  const times = useTimes();
  return (
    <ul className="plain-list small" aria-label={`Evidence of ${of}`}>
      {evidenceLines(evidence).map((line) => (
        <li key={line}>{times.inText(line)}</li>
      ))}
    </ul>
  );
}

/** What a connectivity test found, step by step, each timed: of a service's path or of a URL given alone. */
export function ConnectivitySteps({ result }: { result: ServiceConnectivity }) {
  const of = result.service ?? result.base_url;
  return (
    <>
      <p className="small">
        {result.method} <span className="mono">{result.url}</span>
        {result.jobs_call === null ? '' : ` (${result.jobs_call})`}, each step waiting at most {result.timeout_s}s ({result.timeout_from})
      </p>
      <ul className="plain-list small" aria-label={`Connectivity of ${of}`}>
        {result.steps.map((step) => (
          <li key={step.step}>
            <StepVerdict step={step} /> <span className="mono">{step.step}</span> {formatMs(step.ms)}: {step.detail}
          </li>
        ))}
      </ul>
      {result.evidence === null ? null : <Evidence evidence={result.evidence} of={of} />}
    </>
  );
}
