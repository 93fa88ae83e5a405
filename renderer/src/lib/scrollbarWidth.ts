import { useCallback, useRef, useState } from 'react';

/**
 * A scroller's ref, and the width its vertical scrollbar takes now (0 while nothing scrolls, or where
 * scrollbars overlay the content): a table's head, outside the scroller, leaves as much room at its end so
 * its columns stand over the rows'. Measured again whenever the scroller's box changes, as it does when
 * its bar appears.
 */
export function useScrollbarWidth<T extends HTMLElement>(): { ref: (el: T | null) => void; element: { readonly current: T | null }; width: number } {
  const element = useRef<T | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  const [width, setWidth] = useState(0);
  const ref = useCallback((el: T | null) => {
    observer.current?.disconnect();
    observer.current = null;
    element.current = el;
    if (el === null) return;
    const measure = () => setWidth(el.offsetWidth - el.clientWidth);
    measure();
    observer.current = new ResizeObserver(measure);
    observer.current.observe(el);
  }, []);
  return { ref, element, width };
}
