import { useState } from 'react';
import { Dialog } from '../components/Dialog.tsx';
import { ariaKeys, isApplePlatform, keysLabel, SHORTCUTS } from '../lib/shortcuts.ts';
import { useShortcut } from '../lib/useShortcut.ts';

/** The `?` sheet: every shortcut with its keys, and the keys every dialog and table answer to. */
export function ShortcutSheet() {
  const [open, setOpen] = useState(false);
  const apple = isApplePlatform(navigator.userAgent);
  useShortcut('shortcut-sheet', () => setOpen(true));

  return (
    <>
      <button type="button" className="icon-button topbar-help" aria-label="Keyboard shortcuts" aria-keyshortcuts={ariaKeys('shortcut-sheet')} title="Keyboard shortcuts (?)" onClick={() => setOpen(true)}>
        ?
      </button>
      {open ? (
        <Dialog title="Keyboard shortcuts" onClose={() => setOpen(false)}>
          <table className="table compact shortcuts">
            <caption className="sr-only">Keyboard shortcuts</caption>
            <thead>
              <tr>
                <th scope="col">Keys</th>
                <th scope="col">What they do</th>
              </tr>
            </thead>
            <tbody>
              {SHORTCUTS.map((shortcut) => (
                <tr key={shortcut.id}>
                  <th scope="row">
                    <kbd className="kbd">{keysLabel(shortcut.id, apple)}</kbd>
                  </th>
                  <td>{shortcut.description}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">
                  <kbd className="kbd">Esc</kbd>
                </th>
                <td>Close the dialog or drawer on top, wherever the focus is</td>
              </tr>
              <tr>
                <th scope="row">
                  <kbd className="kbd">Tab</kbd> <kbd className="kbd">Shift+Tab</kbd>
                </th>
                <td>Move between controls; the first Tab offers “Skip to content”</td>
              </tr>
              <tr>
                <th scope="row">
                  <kbd className="kbd">Enter</kbd> <kbd className="kbd">Space</kbd>
                </th>
                <td>Press the focused button, follow the focused link, tick the focused box</td>
              </tr>
            </tbody>
          </table>
        </Dialog>
      ) : null}
    </>
  );
}
