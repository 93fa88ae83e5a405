import type { WorkerInfo } from '../../shared/domain.ts';
import type { StoreOutageEnded } from '../../shared/views.ts';
import type { ApiContext } from './context.ts';
import type { StoreOutageSpan } from './storeWatch.ts';

/** The workers as this host shows them now: the store's list, with those an outage cut off counted live while they reconnect. */
export interface FleetNow {
  workers: WorkerInfo[];
  /** The ids of the workers counted live only because they reconnect. */
  reconnecting: ReadonlySet<string>;
  /** The outage they reconnect after; null when there is none, or its grace has passed. */
  outage: StoreOutageEnded | null;
}

/**
 * The outage that ended less than `graceMs` ago, as the API shows it; null otherwise. The grace is as long
 * as a live worker gets between two heartbeats before it counts as lost, counted from when the store
 * answered again: the outage's length is not held against a worker, which could send none meanwhile.
 */
export function endedOutage(outage: StoreOutageSpan | null, graceMs: number, now: number): StoreOutageEnded | null {
  if (outage === null || outage.to === null) return null;
  const until = Date.parse(outage.to) + graceMs;
  return now < until ? { from: outage.from, to: outage.to, reconnect_until: new Date(until).toISOString() } : null;
}

/**
 * Whether a worker the store counts as lost was cut off by the outage rather than gone: it was live when
 * the store last answered (a heartbeat within `lostAfterMs` before), and has sent none since it answered
 * again. The first read after the store came back came before the workers' first heartbeat, and the
 * Runners page called both healthy workers lost, with Forget buttons and advice to start one.
 */
export function cutOff(worker: Pick<WorkerInfo, 'last_heartbeat_at' | 'lost'>, outage: StoreOutageEnded, lostAfterMs: number): boolean {
  if (!worker.lost) return false;
  const beat = Date.parse(worker.last_heartbeat_at);
  return beat > Date.parse(outage.from) - lostAfterMs && beat <= Date.parse(outage.to);
}

/** The fleet as this host shows it now (FleetNow): `lostAfterMs` both decides lost and is the grace after an outage. */
export async function fleetNow(ctx: ApiContext, lostAfterMs: number): Promise<FleetNow> {
  const listed = await ctx.store.listWorkers(lostAfterMs);
  // This read answered: the outage ends with it, not with the next tick or probe, which may come after.
  ctx.storeWatch?.answered();
  const outage = endedOutage(ctx.storeWatch?.outage ?? null, lostAfterMs, Date.now());
  if (outage === null) return { workers: listed, reconnecting: new Set(), outage: null };
  const reconnecting = new Set(listed.filter((w) => cutOff(w, outage, lostAfterMs)).map((w) => w.id));
  return { workers: listed.map((w) => (reconnecting.has(w.id) ? { ...w, lost: false } : w)), reconnecting, outage };
}
