import { redactValue } from '../config/secrets.ts';
import type { ApiContext } from '../api/context.ts';
import { supportSecrets } from '../api/supportBundle.ts';

/**
 * The fields of an answer that hold what a job, a run or a schedule was given: a job's, run's or
 * schedule's `payload`, and a job's `security_context`, where a shell or Docker job's payload.args are
 * repeated as the `payload_args` it ran with.
 */
const GIVEN = new Set(['payload', 'security_context']);

function withGivenRedacted(value: unknown, secrets: () => readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => withGivenRedacted(v, secrets));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, GIVEN.has(key) ? redactValue(field, secrets()) : withGivenRedacted(field, secrets)]));
}

/**
 * An answer as a read key gets it: whatever a job was given with the value of each secret-named key
 * (password, token, api_key, authorization, …) at any depth, a URL's password and every secret value the
 * support bundle cuts replaced by [redacted], as the support bundle keeps them. The rest of a payload stays,
 * so a dashboard still tells one job from another; an operate key gets it whole, as the console does.
 */
export function asReadKeySees(result: unknown, ctx: ApiContext): unknown {
  let secrets: readonly string[] | null = null;
  // Asked only of an answer holding a payload: most answers a dashboard polls hold none.
  const known = () => (secrets ??= supportSecrets({ env: ctx.env, registry: ctx.registry.registry, fileText: null, values: ctx.store.connectionSecrets() }));
  return withGivenRedacted(result, known);
}
