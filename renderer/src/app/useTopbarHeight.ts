import { useEffect, type RefObject } from 'react';

/**
 * Keeps `--topbar-height` on the document at the top bar's height as it wraps and unwraps with the
 * window's width. The emergency stop sits in that bar above every overlay, so dialogs and drawers start
 * below it (overlays.css): a drawer's top right corner, its Close button, would otherwise lie under the stop.
 */
export function useTopbarHeight(topbar: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const bar = topbar.current;
    if (!bar) return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => root.style.setProperty('--topbar-height', `${bar.getBoundingClientRect().height}px`));
    observer.observe(bar);
    return () => {
      observer.disconnect();
      root.style.removeProperty('--topbar-height');
    };
  }, [topbar]);
}
