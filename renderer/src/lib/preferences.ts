/** This console's own choices, kept in the browser's storage: they belong to the operator's seat, not the store. */
export type ThemeChoice = 'system' | 'light' | 'dark';

/** The zone the console writes times in: this browser's own, with its offset, or UTC (the CLI's `--utc`). */
export type TimesIn = 'local' | 'utc';

export const PREFERENCE_KEYS = {
  theme: 'opsdeck.theme',
  confirmStop: 'opsdeck.confirmEmergencyStop',
  timesIn: 'opsdeck.timesIn',
} as const;

export function parseTheme(raw: string | null): ThemeChoice {
  return raw === 'light' || raw === 'dark' ? raw : 'system';
}

/** Only an explicit UTC counts: a damaged value falls back to the browser's zone, which says its offset anyway. */
export function parseTimesIn(raw: string | null): TimesIn {
  return raw === 'utc' ? 'utc' : 'local';
}

/** A yes/no preference: only an explicit yes counts, so a damaged value falls back to the default (no). */
export function parseFlag(raw: string | null): boolean {
  return raw === '1';
}

export function readPreference(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** `null` removes the key: the default is then whatever the parser makes of nothing. */
export function writePreference(key: string, value: string | null): void {
  try {
    if (value === null) globalThis.localStorage?.removeItem(key);
    else globalThis.localStorage?.setItem(key, value);
  } catch {
    // Storage can be disabled; the choice then lasts for this window only.
  }
}
