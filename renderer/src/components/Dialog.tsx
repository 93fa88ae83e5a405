import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { isTop, openDialog } from '../lib/dialogStack.ts';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

interface DialogProps {
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  /** `drawer` slides in from the right for detail views; `modal` is centred for decisions. */
  variant?: 'modal' | 'drawer';
  /** Which element gets focus first; by default the first focusable one. */
  initialFocus?: 'first' | 'last';
  tone?: 'default' | 'danger';
  /** Where focus goes on close when the element that opened the dialog goes away with it. */
  returnFocus?: () => HTMLElement | null;
}

function focusables(panel: HTMLElement): HTMLElement[] {
  return [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
}

/** Where focus goes back on close: where it was, or the page's main region if that element is gone. */
function restoreFocus(previous: HTMLElement | null, override: HTMLElement | null): void {
  if (override) override.focus();
  else if (previous?.isConnected) previous.focus();
  else document.getElementById('main')?.focus();
}

/**
 * A real dialog: role, label, focus kept inside while open, Escape closes, focus returns where it was.
 * Rendered into <body> so a dialog opened later lies above one opened before, and so the emergency stop,
 * raised above every overlay, stays one click away. Keys are heard on the document, not on the panel:
 * a button that disappears under the focus (a confirmed action) must not take Escape with it.
 */
export function Dialog({ title, onClose, children, footer, variant = 'modal', initialFocus = 'first', tone = 'default', returnFocus }: DialogProps) {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const returnRef = useRef(returnFocus);
  returnRef.current = returnFocus;
  // Taken at the first render, before a field inside can take focus with autoFocus.
  const [previous] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));

  useEffect(() => {
    const id = Symbol('dialog');
    const unregister = openDialog(id);
    const node = panel.current;
    if (node) {
      const all = focusables(node);
      const target = initialFocus === 'last' ? all.at(-1) : all.find((el) => !el.classList.contains('dialog-close')) ?? all[0];
      // A field that asked for focus itself (autoFocus) keeps it.
      if (!node.contains(document.activeElement)) (target ?? node).focus();
    }

    function onKeyDown(event: KeyboardEvent): void {
      if (!isTop(id) || !node || event.defaultPrevented) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        closeRef.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const all = focusables(node);
      const first = all[0];
      const last = all.at(-1);
      const active = document.activeElement;
      if (!first || !last) {
        event.preventDefault();
        node.focus();
        return;
      }
      // Focus lost to the page (its element vanished): Tab comes back into the dialog.
      if (!(active instanceof Node) || !node.contains(active)) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      } else if (event.shiftKey && (active === first || active === node)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
      }
    }

    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      unregister();
      restoreFocus(previous, returnRef.current?.() ?? null);
    };
    // Focus moves in once per opening, not on every render.
  }, [initialFocus, previous]);

  return createPortal(
    <div className={`overlay overlay-${variant}`} onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div ref={panel} className={`dialog dialog-${variant} dialog-tone-${tone}`} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1}>
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button dialog-close" aria-label="Close dialog" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer ? <footer className="dialog-footer">{footer}</footer> : null}
      </div>
    </div>,
    document.body,
  );
}
