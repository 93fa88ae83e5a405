import { create } from 'zustand';

interface HostStatus {
  /** Why the store cannot be reached, or null while it answers. */
  storeDown: string | null;
  /** Whether the live event feed is connected. */
  linkUp: boolean;
  setStoreDown(message: string | null): void;
  setLinkUp(up: boolean): void;
}

export const useHostStatus = create<HostStatus>((set) => ({
  storeDown: null,
  linkUp: true,
  setStoreDown: (message) => set((state) => (state.storeDown === message ? state : { storeDown: message })),
  setLinkUp: (up) => set((state) => (state.linkUp === up ? state : { linkUp: up })),
}));
