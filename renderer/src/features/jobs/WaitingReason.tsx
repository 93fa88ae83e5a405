import { useCall } from '../../lib/calls.ts';

/**
 * Why a due pending job of a rate-limited (or paused) service is not starting: its service's budget is
 * spent, its max_concurrent is reached, or its upstream asked to wait. Such jobs wait; they never fail for it.
 */
export function WaitingReason({ service }: { service: string }) {
  const rates = useCall('rateLimits.list', {}, { refetchInterval: 2000 });
  const reason = rates.data?.services.find((s) => s.service_name === service)?.waiting_reason;
  if (!reason) return null;
  return (
    <p className="callout" role="status">
      Waiting: {reason}
    </p>
  );
}
