import { createContext, useContext } from 'react';
import type { HostClient } from './hostClient.ts';

export const ClientContext = createContext<HostClient | null>(null);

export function useClient(): HostClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ClientContext: main.tsx provides the client.');
  return client;
}
