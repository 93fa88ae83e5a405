/** The console's keyboard shortcuts: what each is, how it is written, and which key press means it. */
export type ShortcutId = 'emergency-stop' | 'go-to-job' | 'shortcut-sheet';

export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  repeat: boolean;
  /** Whether the key went to a text field, where a plain `?` is typing, not a command. */
  editable: boolean;
}

export interface ShortcutInfo {
  id: ShortcutId;
  description: string;
}

export const SHORTCUTS: readonly ShortcutInfo[] = [
  { id: 'emergency-stop', description: 'Emergency stop: stop dispatch on every worker (asks first only if set in Settings)' },
  { id: 'go-to-job', description: 'Go to a job by its id or identifier: the Jobs page’s Go to job box, from any page' },
  { id: 'shortcut-sheet', description: 'Show these keyboard shortcuts' },
];

export function isApplePlatform(userAgent: string): boolean {
  return /Mac|iPhone|iPad/.test(userAgent);
}

/**
 * The stop is Ctrl+Shift+X (⌘⇧X on a Mac): a chord no browser and no text field uses, so it is never
 * pressed by accident while typing, and it works from inside a field or a dialog, since a stop must not
 * wait for anything. A held key fires once.
 */
export function shortcutOf(press: KeyPress): ShortcutId | null {
  if (press.repeat) return null;
  const chord = (press.ctrlKey || press.metaKey) && press.shiftKey && !press.altKey;
  if (chord && (press.key.toLowerCase() === 'x' || press.code === 'KeyX')) return 'emergency-stop';
  const plain = !press.ctrlKey && !press.metaKey && !press.altKey && !press.editable;
  if (press.key === '?' && plain) return 'shortcut-sheet';
  // As in many consoles, `/` goes to the search box; typed in a field it is a slash.
  if (press.key === '/' && plain) return 'go-to-job';
  return null;
}

/** The keys as an operator reads them on this platform. */
export function keysLabel(id: ShortcutId, apple: boolean): string {
  if (id === 'shortcut-sheet') return '?';
  if (id === 'go-to-job') return '/';
  return apple ? '⌘⇧X' : 'Ctrl+Shift+X';
}

/** The keys in `aria-keyshortcuts` syntax, so assistive technology can tell them too. */
export function ariaKeys(id: ShortcutId): string {
  if (id === 'shortcut-sheet') return 'Shift+?';
  if (id === 'go-to-job') return '/';
  return 'Control+Shift+X Meta+Shift+X';
}
