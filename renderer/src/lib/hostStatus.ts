import { create } from 'zustand';
import type { HostSilence } from './hostSilence.ts';
import type { StoreOutage } from './storeOutage.ts';

interface HostStatus {
  /** Why the store cannot be reached, or null while it answers. */
  storeDown: StoreOutage | null;
  /** The console's host gives no answer at all, or null while it answers. */
  hostDown: HostSilence | null;
  /** Whether the live event feed is connected. */
  linkUp: boolean;
  /** Why this console's session ended (the host restarted with a new token), or null while signed in. */
  signedOut: string | null;
  setStoreDown(outage: StoreOutage | null): void;
  setHostDown(silence: HostSilence | null): void;
  setLinkUp(up: boolean): void;
  setSignedOut(message: string): void;
}

function sameOutage(a: StoreOutage | null, b: StoreOutage | null): boolean {
  return a === b || (a !== null && b !== null && a.message === b.message && a.action === b.action);
}

function sameSilence(a: HostSilence | null, b: HostSilence | null): boolean {
  return a === b || (a !== null && b !== null && a.host === b.host && a.lastAnswer === b.lastAnswer);
}

export const useHostStatus = create<HostStatus>((set) => ({
  storeDown: null,
  hostDown: null,
  linkUp: true,
  signedOut: null,
  setStoreDown: (outage) => set((state) => (sameOutage(state.storeDown, outage) ? state : { storeDown: outage })),
  // While the host is away nobody can say how the store is, so an earlier store banner goes with it.
  setHostDown: (silence) => set((state) => (sameSilence(state.hostDown, silence) ? state : silence === null ? { hostDown: null } : { hostDown: silence, storeDown: null })),
  setLinkUp: (up) => set((state) => (state.linkUp === up ? state : { linkUp: up })),
  // The host answered, so the store banner goes; nothing this page does can sign it in again.
  setSignedOut: (message) => set((state) => (state.signedOut === message ? state : { signedOut: message, storeDown: null, hostDown: null })),
}));
