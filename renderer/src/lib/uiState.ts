import { create } from 'zustand';

export type ThemeChoice = 'system' | 'light' | 'dark';

const THEME_KEY = 'opsdeck.theme';

function storedTheme(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(THEME_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

interface UiState {
  theme: ThemeChoice;
  setTheme(theme: ThemeChoice): void;
  /** Dead letters ticked for a bulk action, by job id. */
  selectedDeadLetters: ReadonlySet<number>;
  toggleDeadLetter(id: number): void;
  setDeadLetters(ids: number[]): void;
  clearDeadLetters(): void;
}

export const useUi = create<UiState>((set, get) => ({
  theme: storedTheme(),
  setTheme(theme) {
    try {
      if (theme === 'system') window.localStorage.removeItem(THEME_KEY);
      else window.localStorage.setItem(THEME_KEY, theme);
    } catch {
      // Storage can be disabled; the choice then lasts for this window only.
    }
    set({ theme });
  },
  selectedDeadLetters: new Set(),
  toggleDeadLetter(id) {
    const next = new Set(get().selectedDeadLetters);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    set({ selectedDeadLetters: next });
  },
  setDeadLetters(ids) {
    set({ selectedDeadLetters: new Set(ids) });
  },
  clearDeadLetters() {
    set({ selectedDeadLetters: new Set() });
  },
}));
