import { create } from 'zustand';

interface HostStatus {
  /** Why the store cannot be reached, or null while it answers. */
  storeDown: string | null;
  /** Whether the live event feed is connected. */
  linkUp: boolean;
  /** Why this console's session ended (the host restarted with a new token), or null while signed in. */
  signedOut: string | null;
  setStoreDown(message: string | null): void;
  setLinkUp(up: boolean): void;
  setSignedOut(message: string): void;
}

export const useHostStatus = create<HostStatus>((set) => ({
  storeDown: null,
  linkUp: true,
  signedOut: null,
  setStoreDown: (message) => set((state) => (state.storeDown === message ? state : { storeDown: message })),
  setLinkUp: (up) => set((state) => (state.linkUp === up ? state : { linkUp: up })),
  // The host answered, so the store banner goes; nothing this page does can sign it in again.
  setSignedOut: (message) => set((state) => (state.signedOut === message ? state : { signedOut: message, storeDown: null })),
}));
