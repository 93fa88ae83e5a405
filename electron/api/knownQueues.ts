import type { ApiContext } from './context.ts';

/**
 * Every queue a name could mean here: the registry's services' and schedules', those holding jobs, and the
 * paused ones. A queue name is free text, so a typo is told apart from a queue by this list.
 */
export async function knownQueues(ctx: ApiContext): Promise<string[]> {
  const { registry } = ctx.registry;
  const [control, counts] = await Promise.all([ctx.store.getControl(), ctx.store.countsByQueueAndStatus()]);
  const known = new Set([
    ...registry.services.map((s) => s.queue),
    ...(registry.schedules ?? []).flatMap((s) => (s.queue ? [s.queue] : [])),
    ...counts.map((c) => c.queue),
    ...control.paused_queues.map((p) => p.queue),
  ]);
  return [...known].sort();
}
