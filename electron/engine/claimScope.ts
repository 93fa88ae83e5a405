import type { Registry } from '../../shared/registry.ts';
import type { ClaimRequest, Store } from '../store/store.ts';
import type { BreakerKeeper } from './breakerKeeper.ts';

/**
 * The services a claim must leave out or cap: those whose breaker holds their jobs or lets only a few
 * probes through, and those already at their concurrency across every worker sharing the store.
 */
export async function claimScope(
  store: Store,
  registry: Registry,
  breakers: BreakerKeeper,
  now: Date,
): Promise<Pick<ClaimRequest, 'excludeServices' | 'serviceCaps'>> {
  const { blocked, limited } = breakers.gates(now);
  const exclude = new Set(blocked);
  const caps = new Map(limited);
  const capped = registry.services.filter((s) => s.concurrency !== undefined);
  if (capped.length > 0) {
    const running = await store.runningByService();
    for (const service of capped) {
      const room = (service.concurrency ?? 0) - (running[service.name] ?? 0);
      if (room <= 0) exclude.add(service.name);
      else caps.set(service.name, Math.min(caps.get(service.name) ?? room, room));
    }
  }
  for (const service of exclude) caps.delete(service);
  return {
    ...(exclude.size > 0 ? { excludeServices: [...exclude] } : {}),
    ...(caps.size > 0 ? { serviceCaps: Object.fromEntries(caps) } : {}),
  };
}
