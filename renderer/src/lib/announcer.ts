import { create } from 'zustand';

/** `assertive` interrupts what a screen reader is saying: kept for the emergency stop and failed actions. */
export type Urgency = 'polite' | 'assertive';

export interface Announcement {
  /** A fresh id per announcement, so the same words said twice are two insertions, heard twice. */
  id: number;
  text: string;
}

interface AnnouncerState {
  polite: Announcement | null;
  assertive: Announcement | null;
  say(text: string, urgency: Urgency): void;
}

let nextId = 1;

/**
 * What the one pair of live regions says. Everything a screen reader hears unasked goes through here, once
 * per fact: the regions never hold text that a poll or a ticking clock rewrites.
 */
export const useAnnouncer = create<AnnouncerState>((set) => ({
  polite: null,
  assertive: null,
  say(text, urgency) {
    const announcement = { id: nextId++, text };
    set(urgency === 'assertive' ? { assertive: announcement } : { polite: announcement });
  },
}));

export function announce(text: string, urgency: Urgency = 'polite'): void {
  useAnnouncer.getState().say(text, urgency);
}
