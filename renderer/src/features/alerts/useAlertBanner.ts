import { useEffect } from 'react';
import { useClient } from '../../lib/clientContext.ts';
import { notify } from '../../lib/notices.ts';
import { routeHref } from '../../lib/router.ts';
import { transitionText } from './alertText.ts';

/**
 * The in-page side of an alert's desktop channel: on every page, a firing or resolved rule that asks for
 * a desktop notice shows a notice linking to the Alerts page (the desktop app also raises a system
 * notification from the same event; the browser host has only this).
 */
export function useAlertBanner(): void {
  const client = useClient();
  useEffect(
    () =>
      client.on('alert.changed', (change) => {
        if (!change.desktop) return;
        notify(change.status === 'firing' ? 'bad' : 'ok', transitionText(change), { link: { href: routeHref('/alerts'), label: 'Open the Alerts page' } });
      }),
    [client],
  );
}
