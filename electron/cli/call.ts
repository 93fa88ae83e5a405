import { calls, type ApiError, type CallInput, type CallName, type CallOutput } from '../../shared/contract.ts';
import type { ApiContext } from '../api/context.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../api/runtime.ts';
import { formatProblem, isError } from '../config/load.ts';
import { CliFailure, type Invocation } from './command.ts';
import { inputProblem } from './inputProblems.ts';
import { CLI_WORDS } from './words.ts';

/** A call the API refused, with its error as the API gave it: a command that words some refusals itself reads the code. */
export class CallRefused extends CliFailure {
  readonly error: ApiError;

  constructor(error: ApiError) {
    super(error.message, 1);
    this.name = 'CallRefused';
    this.error = error;
  }
}

/**
 * Calls one contract call in-process through the same dispatch every host uses. A failure becomes a
 * CliFailure: bad input is a usage error (2), everything else exit 1.
 */
export async function call<N extends CallName>(ctx: ApiContext, name: N, input: CallInput<N>): Promise<CallOutput<N>>;
// The output is parsed with the call's own schema: the overload states the type that parse proves.
export async function call(ctx: ApiContext, name: CallName, input: unknown): Promise<unknown> {
  const response = await dispatch(name, input, ctx);
  if (!response.ok) {
    const { error } = response;
    throw error.code === 'invalid_input' ? new CliFailure(inputProblem(name, input, error), 2) : new CallRefused(error);
  }
  return calls[name].output.parse(response.result);
}

/**
 * Opens the runtime a command needs and always closes it. A registry that does not validate is refused,
 * unless the command does not need one (`registry: 'optional'`): then it runs without it, and says so. An
 * emergency stop must not wait for the registry that broke everything to be fixed. The store must be there
 * already (mustExist) unless the command starts a store and says `mustExist: false` (enqueue, workflow run,
 * schedule add, api-key create): a typo or the application's database is not answered with a new store, and a
 * PostgreSQL store is not migrated by a command, only by what creates one (openStore).
 */
export async function withRuntime<T>(
  inv: Invocation,
  fn: (rt: Runtime) => Promise<T>,
  opts: Partial<RuntimeOptions> & { registry?: 'required' | 'optional' } = {},
): Promise<T> {
  const { registry, ...runtimeOpts } = opts;
  const rt = await createRuntime({
    db: inv.common.db,
    registryPath: inv.common.registry ?? null,
    env: inv.io.env,
    execute: false,
    words: CLI_WORDS,
    answeredBy: 'command',
    mustExist: true,
    ...runtimeOpts,
  });
  try {
    if (runtimeOpts.mustExist !== false) await sayMigrationsBehind(inv, rt);
    if (registry === 'optional') {
      const refused = registryRefusal(rt);
      if (refused) inv.io.err(`opsdeck: warning: ${refused.problem}; going on without it, which this command does not need; ${refused.see}`);
    } else assertRegistryLoaded(rt);
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** withRuntime for a command that needs no registry: incident control, reads, triage. */
export function withRuntimeRegistryOptional<T>(inv: Invocation, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  return withRuntime(inv, fn, { registry: 'optional' });
}

/**
 * A PostgreSQL store opened by a command is not migrated (openStore's mustExist): one behind this opsdeck
 * is said once, so a read that fails on a column the store lacks yet is understood. An SQLite file behind
 * is refused as it opens (its statements are prepared against the whole schema then).
 */
async function sayMigrationsBehind(inv: Invocation, rt: Runtime): Promise<void> {
  const status = await rt.ctx.store.migrationStatus().catch(() => null);
  if (status === null || status.pending === 0) return;
  inv.io.err(`opsdeck: warning: the store at ${rt.ctx.store.location} is ${status.pending} migration(s) behind this opsdeck, which a command does not apply: stop the workers and run opsdeck migrate (see Upgrading in the README), or use the opsdeck version the workers run`);
}

export function assertRegistryLoaded(rt: Runtime): void {
  const refused = registryRefusal(rt);
  if (refused) throw new CliFailure(`${refused.problem}; ${refused.see}`);
}

/** What is wrong with the registry the command was given, or null when it loaded (or none was given). */
function registryRefusal(rt: Runtime): { problem: string; see: string } | null {
  const load = rt.registryLoad;
  if (!load || load.ok) return null;
  const first = load.problems.find(isError);
  const detail = first ? ` (first: ${formatProblem(load.path, first)})` : '';
  return { problem: `the registry ${load.path} has ${load.errors} problem(s)${detail}`, see: `see opsdeck validate-config ${load.path}` };
}
