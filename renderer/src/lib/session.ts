/** Where the console keeps the browser host's token: this origin's storage, so this port's only. */
export const SESSION_KEY = 'opsdeck.session';

interface Place {
  href: string;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** Replaces the address without adding a history entry. */
  replace(url: string): void;
}

/**
 * The token of the URL `opsdeck serve` printed (`?token=`), moved out of the address bar into this
 * origin's storage (every tab of the console opened after it has it too), or the one kept there earlier;
 * null when there is neither. A restarted host prints a new token, which replaces the kept one. The token
 * goes with each call as a header, never as a cookie: a browser sends 127.0.0.1's cookies to every port
 * on it, so every other local server the operator's browser visits would receive one.
 */
export function takeSessionToken(place: Place): string | null {
  const url = new URL(place.href);
  const offered = url.searchParams.get('token');
  if (offered) {
    place.storage.setItem(SESSION_KEY, offered);
    url.searchParams.delete('token');
    place.replace(url.toString());
    return offered;
  }
  return place.storage.getItem(SESSION_KEY);
}
