import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { CallOutput } from '../../../shared/contract.ts';
import type { ControlState } from '../../../shared/domain.ts';
import { breakerAnnouncement, effectiveState } from '../features/breakers/breakerState.ts';
import { controlAnnouncement } from '../features/control/controlAnnouncement.ts';
import { announce, type Urgency } from '../lib/announcer.ts';
import { callKey } from '../lib/calls.ts';
import { useClient } from '../lib/clientContext.ts';
import type { HostClient } from '../lib/hostClient.ts';

/**
 * Says what changed in the control plane, once, on whatever page is open: the emergency stop engaging or
 * releasing, a breaker opening. Driven by pushed events and compared with what was seen before, so a tick
 * that repeats the same state says nothing. `openAtStart` names the breakers already open when the first
 * breaker event arrives: where the console starts, as the first control state is. Returns the disconnection.
 */
export function connectLiveAnnouncements(
  client: Pick<HostClient, 'on'>,
  openAtStart: () => ReadonlySet<string>,
  say: (text: string, urgency: Urgency) => void,
): () => void {
  let control: ControlState | null = null;
  let open: ReadonlySet<string> | null = null;

  function onControl(next: ControlState): void {
    const seen = controlAnnouncement(control, next);
    control = seen.state;
    if (seen.text) say(seen.text, 'assertive');
  }

  const offs = [
    client.on('control.changed', onControl),
    client.on('stats.tick', (stats) => onControl(stats.control)),
    client.on('breaker.changed', (change) => {
      const seen = breakerAnnouncement(open ?? openAtStart(), change);
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
  const queryClient = useQueryClient();
  useEffect(() => {
    const openAtStart = () => {
      const list = queryClient.getQueryData<CallOutput<'breakers.list'>>(callKey('breakers.list', {}));
      return new Set(list?.breakers.filter((b) => effectiveState(b) === 'open').map((b) => b.service_name));
    };
    return connectLiveAnnouncements(client, openAtStart, announce);
  }, [client, queryClient]);
}
