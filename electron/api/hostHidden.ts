import { BlindHost, type HostEnv } from '../config/hostEnv.ts';
import type { ApiContext } from './context.ts';

/**
 * What a text's checks may look at: this host's environment and disk, or nothing for a caller who may not
 * learn them, whose answer names each check of the host the text asked for as not made (HostEnv).
 */
export function checkedEnv(ctx: ApiContext): HostEnv {
  return ctx.hostHidden === undefined ? ctx.env : new BlindHost(ctx.hostHidden);
}
