/** Where the console keeps the browser host's token: this tab's session storage, this port's only. */
export const SESSION_KEY = 'opsdeck.session';

interface Place {
  href: string;
  /** This tab's storage: it lasts while the tab does, reloads included, and no other tab reads it. */
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** The origin's storage every tab shares and the disk keeps, where consoles before this one kept the token. */
  shared: Pick<Storage, 'removeItem'>;
  /** Replaces the address without adding a history entry. */
  replace(url: string): void;
}

/**
 * The token of the URL `opsdeck serve` printed (`?token=`), moved out of the address bar into this tab's
 * storage, or the one kept there earlier (a reload); null when there is neither (another tab hands over
 * its token then, tabHandoff.ts). A restarted host prints a new token, which replaces the kept one. A token an earlier
 * console kept in the origin's shared storage is removed: it would outlive the tab and the browser on
 * disk. The token goes with each call as a header, never as a cookie: a browser sends 127.0.0.1's cookies
 * to every port on it, so every other local server the operator's browser visits would receive one.
 */
export function takeSessionToken(place: Place): string | null {
  place.shared.removeItem(SESSION_KEY);
  const url = new URL(place.href);
  const offered = url.searchParams.get('token');
  if (offered) {
    keepSessionToken(place.storage, offered);
    url.searchParams.delete('token');
    place.replace(url.toString());
    return offered;
  }
  return place.storage.getItem(SESSION_KEY);
}

/** Keeps the token for this tab's reloads. */
export function keepSessionToken(storage: Pick<Storage, 'setItem'>, token: string): void {
  storage.setItem(SESSION_KEY, token);
}
