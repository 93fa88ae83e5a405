import type { OpsdeckClient } from '../../../shared/contract.ts';

/**
 * The one client the app holds. `onLink` reports when the live event feed drops or returns, so the UI can
 * say so and catch up on what it missed; a host whose feed cannot drop simply never calls the listener.
 */
export interface HostClient extends OpsdeckClient {
  onLink(listener: (up: boolean) => void): () => void;
}
