import type { RegistryProblem } from '../../shared/registry.ts';
import type { ApiContext } from './context.ts';

/** The environment a text's checks may read: this host's, or null when the caller may not learn it (HostEnv). */
export function checkedEnv(ctx: ApiContext): Readonly<Record<string, string | undefined>> | null {
  return ctx.hostHidden === undefined ? ctx.env : null;
}

/**
 * The checks left out for a caller blind to this host, said with the rest of the answer: a text that
 * passes them is not yet known to pass where the full check runs.
 */
export function hostChecksSkipped(ctx: ApiContext, what: string): RegistryProblem[] {
  if (ctx.hostHidden === undefined) return [];
  return [{ line: null, col: null, path: '(host)', message: `${what} were skipped: they read this host's disk and environment, which needs ${ctx.hostHidden}`, severity: 'warning' }];
}
