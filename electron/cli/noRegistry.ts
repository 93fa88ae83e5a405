import { noRegistryLoaded } from '../api/noRegistry.ts';
import type { RegistryHolder } from '../config/holder.ts';
import type { Io } from './output.ts';
import { CLI_WORDS } from './words.ts';

/** The command line's words for a process with no registry loaded: "no registry loaded: pass --registry FILE …". */
export const NO_REGISTRY = noRegistryLoaded(CLI_WORDS);

/**
 * Beside an answer that is partly the registry's, when none is loaded: says so on stderr, with what this
 * answer cannot hold for it, so an empty table is not read as the fleet having nothing. True when it did.
 */
export function sayNoRegistry(registry: RegistryHolder, io: Io, unknown: string): boolean {
  if (registry.loadedAt !== null) return false;
  io.err(`opsdeck: ${NO_REGISTRY}; ${unknown}`);
  return true;
}
