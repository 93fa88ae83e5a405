import type { ApiContext } from './context.ts';
import { notFound } from './errors.ts';
import { serviceMeant } from './filterNames.ts';
import { noRegistryLoaded } from './noRegistry.ts';

/**
 * A service the registry does not name and the store remembers nothing of (`remembered`: a breaker, a
 * tuning) is a typo, not a new service: the answer names the one likely meant. With no registry loaded to
 * ask, the store's jobs say which services there are. `what` names what the store would remember, for the
 * message; `rememberedNames`, which services the store remembers one for, are also what a typo may have meant.
 */
export async function assertServiceKnown(
  ctx: ApiContext,
  service: string,
  remembered: boolean,
  what: string,
  rememberedNames: () => Promise<string[]> = async () => [],
): Promise<void> {
  if (ctx.registry.service(service) || remembered) return;
  if (ctx.registry.loadedAt !== null) {
    const names = ctx.registry.registry.services.map((s) => s.name);
    const meant = await serviceMeant(ctx, service, [...new Set([...names, ...(await rememberedNames())])]);
    throw notFound(`service ${service} is not in the registry and has no ${what} (${meant ? `did you mean ${meant}? ` : ''}known: ${names.join(', ') || 'none'})`);
  }
  const { items } = await ctx.store.listJobs({ service }, { limit: 1, after: null });
  if (items.length === 0) {
    const meant = await serviceMeant(ctx, service);
    throw notFound(`service ${service} has no ${what} and no job in this store to name it${meant ? ` (did you mean ${meant}?)` : ''}; ${noRegistryLoaded(ctx.words)}`);
  }
}
