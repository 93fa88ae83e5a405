import { create } from 'zustand';
import { announce } from './announcer.ts';

export interface NoticeLink {
  href: string;
  label: string;
}

export interface Notice {
  id: number;
  tone: 'ok' | 'bad' | 'info';
  text: string;
  link?: NoticeLink;
  /** Stays until dismissed: what the operator must act on later (a stop that was NOT engaged). */
  sticky?: boolean;
}

export interface NoticeOptions {
  link?: NoticeLink;
  /** False when the same fact is already announced elsewhere (a breaker opening, the emergency stop). */
  announce?: boolean;
  /** Kept until dismissed, not timed out: see Notice.sticky. */
  sticky?: boolean;
}

/** How long a notice stays: long enough to read, and to reach its link from the keyboard; a sticky one, until dismissed (null). */
export function lifetimeOf(notice: Pick<Notice, 'tone' | 'link' | 'sticky'>): number | null {
  if (notice.sticky === true) return null;
  if (notice.link) return 20_000;
  return notice.tone === 'bad' ? 12_000 : 6000;
}

/** The newest notices, at most `max`: older ones make room rather than pile up over the page, a sticky one last. */
export function withNotice(notices: Notice[], notice: Notice, max = 4): Notice[] {
  const kept = [...notices, notice];
  while (kept.length > max) {
    const oldest = kept.findIndex((n) => n.sticky !== true);
    kept.splice(oldest === -1 ? 0 : oldest, 1);
  }
  return kept;
}

interface NoticeState {
  notices: Notice[];
  push(tone: Notice['tone'], text: string, options?: NoticeOptions): void;
  dismiss(id: number): void;
  /** Keeps a notice while the pointer or the focus is on it; `release` starts its clock again. */
  hold(id: number): void;
  release(id: number): void;
}

let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

/** Results of operator actions ("Retried 42 jobs"), shown briefly; each is announced once when it appears. */
export const useNotices = create<NoticeState>((set, get) => {
  function schedule(notice: Notice): void {
    clearTimeout(timers.get(notice.id));
    const lifetime = lifetimeOf(notice);
    if (lifetime === null) return;
    timers.set(
      notice.id,
      setTimeout(() => get().dismiss(notice.id), lifetime),
    );
  }
  return {
    notices: [],
    push(tone, text, options = {}) {
      const notice: Notice = { id: nextId++, tone, text, ...(options.link ? { link: options.link } : {}), ...(options.sticky === true ? { sticky: true } : {}) };
      set({ notices: withNotice(get().notices, notice) });
      schedule(notice);
      if (options.announce !== false) announce(text, tone === 'bad' ? 'assertive' : 'polite');
    },
    dismiss(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },
    hold(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
    release(id) {
      const notice = get().notices.find((n) => n.id === id);
      if (notice) schedule(notice);
    },
  };
});

export function notify(tone: Notice['tone'], text: string, options?: NoticeOptions): void {
  useNotices.getState().push(tone, text, options);
}
