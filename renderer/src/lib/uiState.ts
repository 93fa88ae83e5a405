import { create } from 'zustand';
import { parseFlag, parseTheme, parseTimesIn, PREFERENCE_KEYS, readPreference, writePreference, type ThemeChoice, type TimesIn } from './preferences.ts';

export type { ThemeChoice, TimesIn } from './preferences.ts';

interface UiState {
  theme: ThemeChoice;
  setTheme(theme: ThemeChoice): void;
  /** Whether the emergency stop (button or shortcut) asks before it stops. Off by default: one click stops. */
  confirmStop: boolean;
  setConfirmStop(confirm: boolean): void;
  /** The zone every time of the console is written in. */
  timesIn: TimesIn;
  setTimesIn(timesIn: TimesIn): void;
  /** Dead letters ticked for a bulk action, by job id. */
  selectedDeadLetters: ReadonlySet<number>;
  toggleDeadLetter(id: number): void;
  setDeadLetters(ids: number[]): void;
  clearDeadLetters(): void;
  /** The `/` key was pressed: the Jobs page's Go to job box takes the focus once it is there. */
  goToJobRequested: boolean;
  requestGoToJob(): void;
  goToJobFocused(): void;
}

export const useUi = create<UiState>((set, get) => ({
  theme: parseTheme(readPreference(PREFERENCE_KEYS.theme)),
  setTheme(theme) {
    writePreference(PREFERENCE_KEYS.theme, theme === 'system' ? null : theme);
    set({ theme });
  },
  confirmStop: parseFlag(readPreference(PREFERENCE_KEYS.confirmStop)),
  setConfirmStop(confirm) {
    writePreference(PREFERENCE_KEYS.confirmStop, confirm ? '1' : null);
    set({ confirmStop: confirm });
  },
  timesIn: parseTimesIn(readPreference(PREFERENCE_KEYS.timesIn)),
  setTimesIn(timesIn) {
    // How this viewer reads times, not how the fleet runs: kept in this browser like the theme, with no call
    // to the host and so no audit entry. Two operators in one incident may well read different zones.
    writePreference(PREFERENCE_KEYS.timesIn, timesIn === 'local' ? null : timesIn);
    set({ timesIn });
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
  goToJobRequested: false,
  requestGoToJob() {
    set({ goToJobRequested: true });
  },
  goToJobFocused() {
    set({ goToJobRequested: false });
  },
}));
