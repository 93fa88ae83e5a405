import type { ApiContext } from './context.ts';
import type { InterfaceWords } from './interfaceWords.ts';

/**
 * What every answer says when this process has no registry loaded, in place of an empty one: no services,
 * no workflows, no rate limits read as a fact about the fleet, while it is only what this process cannot
 * know. One wording, ended by how to load one in the interface that asked.
 */
export function noRegistryLoaded(words: InterfaceWords): string {
  return `no registry loaded: ${words.loadRegistry()}`;
}

/**
 * The refusal of a name the registry would hold (a service, a workflow): with a registry, the names it has;
 * without one, that none is loaded, so the name could not be looked up at all ("known: none" would say
 * the fleet has none).
 */
export function notInRegistry(ctx: ApiContext, what: string, known: readonly string[]): string {
  if (ctx.registry.loadedAt === null) return `${what} is not known here: ${noRegistryLoaded(ctx.words)}`;
  return `${what} is not in the registry (known: ${known.length > 0 ? known.join(', ') : 'none'})`;
}
