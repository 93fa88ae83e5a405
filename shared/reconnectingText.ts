import { countText } from './countText.ts';
import type { StoreOutageEnded } from './views.ts';

/**
 * What is said of the workers reconnecting after a store outage, with the outage's times (ISO, for each
 * interface to write in its reader's zone): they were live when the store stopped answering, could send no
 * heartbeat meanwhile, and count as lost only if none comes by the end of their grace. Not "lost", with no
 * advice to forget them or start another: the drill's console said both of two healthy workers for 6 to 15 s
 * after every recovery.
 */
export function reconnectingLine(count: number, outage: StoreOutageEnded): string {
  const one = count === 1;
  const [are, they, have, each] = one ? ['1 worker is', 'it was', 'it has', 'it counts'] : [`${countText(count)} workers are`, 'they were', 'they have', 'each counts'];
  return `${are} reconnecting: ${they} live when the store stopped answering (last answer ${outage.from}), and ${have} sent no heartbeat since it answered again at ${outage.to}, which ${one ? 'it' : 'they'} could not send meanwhile; ${each} as lost only if none comes by ${outage.reconnect_until}.`;
}
