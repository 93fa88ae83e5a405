import { silenceAdvice } from '../lib/hostSilence.ts';
import { useHostStatus } from '../lib/hostStatus.ts';
import { outageAdvice } from '../lib/storeOutage.ts';
import { useUi } from '../lib/uiState.ts';

/**
 * The store and the live feed go when things answer again, but a store outage may need an operator first
 * (a schema to migrate, a disk to free), and then its banner says so. A host that does not answer at all
 * says nothing of the store: its banner stands alone, for the feed is down with it. A lost session never
 * clears here.
 */
export function HostBanners() {
  const storeDown = useHostStatus((s) => s.storeDown);
  const hostDown = useHostStatus((s) => s.hostDown);
  const linkUp = useHostStatus((s) => s.linkUp);
  const signedOut = useHostStatus((s) => s.signedOut);
  const timesIn = useUi((s) => s.timesIn);
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
  if (hostDown !== null) {
    const silence = silenceAdvice(hostDown, timesIn);
    return (
      <div className="banner banner-bad" role="alert">
        <span className="banner-text">
          <strong>Host not answering:</strong> {silence.problem}
        </span>
        <span className="small">{silence.advice}</span>
      </div>
    );
  }
  const outage = storeDown === null ? null : outageAdvice(storeDown);
  return (
    <>
      {outage !== null ? (
        <div className="banner banner-bad" role="alert">
          <span className="banner-text">
            <strong>Store unavailable:</strong> <span className="mono">{outage.problem}</span>
          </span>
          <span className="small">{outage.advice}</span>
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
