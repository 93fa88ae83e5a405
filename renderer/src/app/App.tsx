import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { CallError } from '../lib/callError.ts';
import { ClientContext } from '../lib/clientContext.ts';
import type { HostClient } from '../lib/hostClient.ts';
import { useLiveUpdates } from '../lib/liveUpdates.ts';
import { useUi } from '../lib/uiState.ts';
import { Layout } from './Layout.tsx';
import { useLiveAnnouncements } from './useLiveAnnouncements.ts';
import { useAlertBanner } from '../features/alerts/useAlertBanner.ts';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5000,
        // Bad input or a missing job will not fix itself by asking again; an unreachable store might.
        retry: (count, error) => count < 2 && !(error instanceof CallError && ['invalid_input', 'not_found', 'forbidden'].includes(error.code)),
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 8000),
      },
    },
  });
}

function useTheme(): void {
  const theme = useUi((s) => s.theme);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
}

function Live() {
  useLiveUpdates();
  useLiveAnnouncements();
  useAlertBanner();
  useTheme();
  return <Layout />;
}

export function App({ client }: { client: HostClient }) {
  const [queryClient] = useState(makeQueryClient);
  return (
    <ClientContext.Provider value={client}>
      <QueryClientProvider client={queryClient}>
        <Live />
      </QueryClientProvider>
    </ClientContext.Provider>
  );
}
