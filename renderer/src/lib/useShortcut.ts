import { useEffect, useRef } from 'react';
import { shortcutOf, type ShortcutId } from './shortcuts.ts';

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

/** Runs `handler` when the shortcut is pressed anywhere in the page, over dialogs too. */
export function useShortcut(id: ShortcutId, handler: () => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      const pressed = shortcutOf({
        key: event.key,
        code: event.code,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        shiftKey: event.shiftKey,
        altKey: event.altKey,
        repeat: event.repeat,
        editable: isEditable(event.target),
      });
      if (pressed !== id) return;
      event.preventDefault();
      latest.current();
    }
    // Capture: a dialog's own key handling must not see, or swallow, the stop.
    document.addEventListener('keydown', onKeyDown, true);
    return () => document.removeEventListener('keydown', onKeyDown, true);
  }, [id]);
}
