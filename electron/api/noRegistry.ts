import type { ApiContext } from './context.ts';
import { closest } from '../../shared/closestWord.ts';
import type { InterfaceWords } from './interfaceWords.ts';

function guessOf(name: string, known: readonly string[]): string {
  const meant = closest(name, known);
  return meant ? `did you mean ${meant}? ` : '';
}

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
 * the fleet has none). `guess`: the name as typed, to say the likeliest of `known` meant.
 */
export function notInRegistry(ctx: ApiContext, what: string, known: readonly string[], guess?: string): string {
  if (ctx.registry.loadedAt === null) return `${what} is not known here: ${noRegistryLoaded(ctx.words)}`;
  return `${what} is not in the registry (${guess === undefined ? '' : guessOf(guess, known)}known: ${known.length > 0 ? known.join(', ') : 'none'})`;
}
