import { useHostStatus } from '../lib/hostStatus.ts';

/** The store and the live feed: both clear by themselves when things answer again. */
export function HostBanners() {
  const storeDown = useHostStatus((s) => s.storeDown);
  const linkUp = useHostStatus((s) => s.linkUp);
  return (
    <>
      {storeDown !== null ? (
        <div className="banner banner-bad" role="alert">
          <span className="banner-text">
            <strong>Store unavailable:</strong> <span className="mono">{storeDown}</span>
          </span>
          <span className="small">Retrying; this clears by itself when the store answers.</span>
        </div>
      ) : null}
      {!linkUp ? (
        <div className="banner banner-warn" role="status">
          <span className="banner-text">Live updates disconnected; reconnecting…</span>
        </div>
      ) : null}
    </>
  );
}
