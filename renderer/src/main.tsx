import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App.tsx';
import { createBridgeClient, isPreloadBridge } from './lib/bridgeClient.ts';
import { createHttpClient } from './lib/httpClient.ts';
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
 * the token of the printed URL, of this tab's earlier load, or of another open console tab.
 */
async function pickHost(): Promise<HostClient> {
  const bridge: unknown = Reflect.get(window, 'opsdeck');
  if (isPreloadBridge(bridge)) return createBridgeClient(bridge);
  const place = {
    href: window.location.href,
    storage: window.sessionStorage,
    shared: window.localStorage,
    replace: (url: string) => window.history.replaceState(null, '', url),
  };
  const token = takeSessionToken(place) ?? (await askOpenTabs());
  if (token !== null) {
    keepSessionToken(place.storage, token);
    shareWithNewTabs(token);
  }
  return createHttpClient(new URL('/', window.location.href), token);
}

const container = document.getElementById('root');
if (container) {
  void pickHost().then((client) => {
    createRoot(container).render(
      <StrictMode>
        <App client={trackStatus(client)} />
      </StrictMode>,
    );
  });
}
