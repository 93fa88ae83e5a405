import { useCall } from '../../lib/calls.ts';

/** How many alerts fire now, beside the Alerts page's link on every page ("Alerts 2 firing"). */
export function AlertsNavCount({ path }: { path: string }) {
  const alerts = useCall('alerts.list', {}, { staleTime: 10_000, refetchInterval: 15_000 });
  if (path !== '/alerts' || !alerts.data || alerts.data.firing === 0) return null;
  return (
    <span className="nav-count">
      {alerts.data.firing}
      <span className="sr-only"> firing</span>
    </span>
  );
}
