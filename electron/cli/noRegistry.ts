import { noRegistryLoaded } from '../api/noRegistry.ts';
import { CLI_WORDS } from './words.ts';

/** The command line's words for a process with no registry loaded: "no registry loaded: pass --registry FILE …". */
export const NO_REGISTRY = noRegistryLoaded(CLI_WORDS);
