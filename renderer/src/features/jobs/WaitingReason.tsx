import { useCall } from '../../lib/calls.ts';
import { withTimes } from '../../../../shared/timesInText.ts';
import { useTimes } from '../../lib/useTimes.ts';

/**
 * Why a pending job is not starting (not due yet, the emergency stop or safe mode, its queue paused, its
 * breaker, its rate limit, no worker to take it), each with what lifts it. Nothing when nothing holds it.
 */
export function WaitingReason({ jobId }: { jobId: number }) {
  const times = useTimes();
  const waiting = useCall('jobs.waiting', { id: jobId }, { refetchInterval: 2000 });
  const reasons = waiting.data?.reasons ?? [];
  if (reasons.length === 0) return null;
  return (
    <div className="callout" role="status">
      <strong>Waiting:</strong>
      {reasons.length === 1 ? (
        <span> {withTimes(reasons[0] ?? '', times.time)}</span>
      ) : (
        <ul>
          {reasons.map((reason) => (
            <li key={reason}>{withTimes(reason, times.time)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
