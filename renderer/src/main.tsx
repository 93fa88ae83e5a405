import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App.tsx';
import { createBridgeClient, isPreloadBridge } from './lib/bridgeClient.ts';
import { Loading } from './components/States.tsx';
import { createHttpClient, hostAccepts } from './lib/httpClient.ts';
import { keepSessionToken, takeSessionToken } from './lib/session.ts';
import { askOpenTabs, shareWithNewTabs } from './lib/tabHandoff.ts';
import type { HostClient } from './lib/hostClient.ts';
import { trackStatus } from './lib/trackStatus.ts';
import './styles/theme.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/overlays.css';
import './styles/tables.css';
import './styles/pages.css';
import './styles/workflows.css';

// The CSP forbids eval; zod must not even try its compiled fast path.
z.config({ jitless: true });

/**
 * The host is chosen here, once: Electron's preload bridge if present, else the browser host over HTTP with
 * the token of the printed URL, of this tab's earlier load, or of another open console tab the host accepts.
 * Once the host refuses this tab's token, the tab stops handing it to new ones.
 */
async function pickHost(): Promise<HostClient> {
  const bridge: unknown = Reflect.get(window, 'opsdeck');
  if (isPreloadBridge(bridge)) return createBridgeClient(bridge);
  const origin = new URL('/', window.location.href);
  const place = {
    href: window.location.href,
    storage: window.sessionStorage,
    shared: window.localStorage,
    replace: (url: string) => window.history.replaceState(null, '', url),
  };
  const token = takeSessionToken(place) ?? (await askOpenTabs((offered) => hostAccepts(origin, offered)));
  if (token === null) return createHttpClient(origin, null);
  keepSessionToken(place.storage, token);
  return createHttpClient(origin, token, shareWithNewTabs(token));
}

const container = document.getElementById('root');
if (container) {
  const root = createRoot(container);
  // Asking the open tabs for a token may take a while: the page says so rather than stay blank.
  root.render(<Loading label="Signing in…" />);
  void pickHost().then((client) => {
    root.render(
      <StrictMode>
        <App client={trackStatus(client)} />
      </StrictMode>,
    );
  });
}
