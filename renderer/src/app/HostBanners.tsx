import { useHostStatus } from '../lib/hostStatus.ts';

/** The store and the live feed: both clear by themselves when things answer again. A lost session does not. */
export function HostBanners() {
  const storeDown = useHostStatus((s) => s.storeDown);
  const linkUp = useHostStatus((s) => s.linkUp);
  const signedOut = useHostStatus((s) => s.signedOut);
  if (signedOut !== null) {
    return (
      <div className="banner banner-bad" role="alert">
        <span className="banner-text">
          <strong>Signed out:</strong> this console has no session with its host, so nothing here is current and no action will be taken.
        </span>
        <span className="small">
          Open the URL <span className="mono">opsdeck serve</span> printed (with <span className="mono">?token=</span>); if it was restarted, open the new URL it printed.
        </span>
      </div>
    );
  }
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
