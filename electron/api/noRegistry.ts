import type { InterfaceWords } from './interfaceWords.ts';

/**
 * What every answer says when this process has no registry loaded, in place of an empty one: no services,
 * no workflows, no rate limits read as a fact about the fleet, while it is only what this process cannot
 * know. One wording, ended by how to load one in the interface that asked.
 */
export function noRegistryLoaded(words: InterfaceWords): string {
  return `no registry loaded: ${words.loadRegistry()}`;
}
