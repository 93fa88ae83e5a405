import { useCallback, useSyncExternalStore } from 'react';

/**
 * A hash router: `#/jobs?status=failed&service=x`. The hash works from file:// in Electron and from the
 * browser host alike, and filters in it make a view shareable by copying the address.
 */
export interface Route {
  path: string;
  params: URLSearchParams;
}

function readHash(): string {
  return window.location.hash.replace(/^#/, '') || '/';
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function parseRoute(hash: string): Route {
  // Split at the first "?" only: a typed-in value may hold another one.
  const at = hash.indexOf('?');
  const path = (at === -1 ? hash : hash.slice(0, at)) || '/';
  const query = at === -1 ? '' : hash.slice(at + 1);
  return { path: path.startsWith('/') ? path : `/${path}`, params: new URLSearchParams(query) };
}

export function routeHref(path: string, params?: URLSearchParams | Record<string, string>): string {
  const search = params instanceof URLSearchParams ? params : new URLSearchParams(params);
  const query = search.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}

/** Sets a text parameter, or removes it when the text is blank, so an empty field leaves no `q=` behind. */
export function setTextParam(params: URLSearchParams, key: string, value: string): void {
  if (value.trim()) params.set(key, value);
  else params.delete(key);
}

export function navigate(path: string, params?: URLSearchParams | Record<string, string>, replace = false): void {
  const href = routeHref(path, params);
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, readHash);
  return parseRoute(hash);
}

/** The current page's query parameters, with a setter that keeps the path and replaces history (typing must not flood Back). */
export function useSearchParams(): [URLSearchParams, (update: (params: URLSearchParams) => void, push?: boolean) => void] {
  const route = useRoute();
  const set = useCallback((update: (params: URLSearchParams) => void, push = false) => {
    const current = parseRoute(readHash());
    const next = new URLSearchParams(current.params);
    update(next);
    navigate(current.path, next, !push);
  }, []);
  return [route.params, set];
}
