import type { RawProblem } from './checks.ts';
import type { PathKey } from './locate.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A caller who may not learn this machine's files or environment (a read API key): a text it sends is
 * checked blind to the host. `needs`: what would let it, in its interface's words ("an operate key").
 */
export class BlindHost {
  readonly needs: string;

  constructor(needs: string) {
    this.needs = needs;
  }
}

/** What the checks that read this machine (its programs, folders and variables) look at: its environment, or nothing. */
export type HostEnv = Env | BlindHost;

/**
 * One check of this machine, for the place in the text that asks for it: `look` says what is wrong here,
 * or null. Every such check goes through here, so none can run blind: for a blind caller it is not made,
 * and a warning at that place names `what` it would have looked at. The same whatever the host holds (it
 * comes from the caller's own text), and a text that names nothing of the host gets no warning.
 */
export function hostCheck(host: HostEnv, at: PathKey[], what: string, look: (env: Env) => string | null): RawProblem[] {
  if (host instanceof BlindHost) return [{ path: at, message: `not checked on this host: ${what}; that needs ${host.needs}`, severity: 'warning' }];
  const problem = look(host);
  return problem === null ? [] : [{ path: at, message: problem, severity: 'warning' }];
}
