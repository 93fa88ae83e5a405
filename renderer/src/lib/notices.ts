import { create } from 'zustand';

export interface Notice {
  id: number;
  tone: 'ok' | 'bad' | 'info';
  text: string;
}

interface NoticeState {
  notices: Notice[];
  push(tone: Notice['tone'], text: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

/** Results of operator actions ("Retried 42 jobs"), shown briefly in a live region. */
export const useNotices = create<NoticeState>((set, get) => ({
  notices: [],
  push(tone, text) {
    const id = nextId++;
    set({ notices: [...get().notices.slice(-3), { id, tone, text }] });
    window.setTimeout(() => get().dismiss(id), tone === 'bad' ? 12_000 : 6000);
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
}));

export function notify(tone: Notice['tone'], text: string): void {
  useNotices.getState().push(tone, text);
}
