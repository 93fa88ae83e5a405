import { useEffect } from 'react';
import type { ControlState } from '../../../shared/domain.ts';
import { breakerAnnouncement } from '../features/breakers/breakerState.ts';
import { controlAnnouncement } from '../features/control/controlAnnouncement.ts';
import { announce, type Urgency } from '../lib/announcer.ts';
import { useClient } from '../lib/clientContext.ts';
import type { HostClient } from '../lib/hostClient.ts';

/**
 * Says what changed in the control plane, once, on whatever page is open: the emergency stop engaging or
 * releasing, a breaker opening. Driven by pushed events and compared with what was seen before, so a tick
 * that repeats the same state says nothing. A breaker event is only sent when a breaker's state or mode
 * moved, so the first one seen for a breaker is news; the breakers list in the cache is no guide, since
 * this console's own action writes the new state there before the event arrives. Returns the disconnection.
 */
export function connectLiveAnnouncements(client: Pick<HostClient, 'on'>, say: (text: string, urgency: Urgency) => void): () => void {
  let control: ControlState | null = null;
  let open: ReadonlySet<string> = new Set();

  function onControl(next: ControlState): void {
    const seen = controlAnnouncement(control, next);
    control = seen.state;
    if (seen.text) say(seen.text, 'assertive');
  }

  const offs = [
    client.on('control.changed', onControl),
    client.on('stats.tick', (stats) => onControl(stats.control)),
    client.on('breaker.changed', (change) => {
      const seen = breakerAnnouncement(open, change);
      open = seen.open;
      if (seen.text) say(seen.text, 'polite');
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

export function useLiveAnnouncements(): void {
  const client = useClient();
  useEffect(() => connectLiveAnnouncements(client, announce), [client]);
}
