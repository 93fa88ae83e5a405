import { calls, type CallInput, type CallName, type CallOutput } from '../../shared/contract.ts';
import type { ApiContext } from '../api/context.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../api/runtime.ts';
import { formatProblem, isError } from '../config/load.ts';
import { CliFailure, type Invocation } from './command.ts';
import { inputProblem } from './inputProblems.ts';
import { CLI_WORDS } from './words.ts';

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
    throw error.code === 'invalid_input' ? new CliFailure(inputProblem(name, input, error), 2) : new CliFailure(error.message, 1);
  }
  return calls[name].output.parse(response.result);
}

/**
 * Opens the runtime a command needs and always closes it. A registry that does not validate is refused,
 * unless the command does not need one (`registry: 'optional'`): then it runs without it, and says so. An
 * emergency stop must not wait for the registry that broke everything to be fixed.
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
    ...runtimeOpts,
  });
  try {
    if (registry === 'optional') {
      const refused = registryRefusal(rt);
      if (refused) inv.io.err(`opsdeck: warning: ${refused.problem}; going on without it, which this command does not need; ${refused.see}`);
    } else assertRegistryLoaded(rt);
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/**
 * withRuntime for a command that needs only a store that is there already: incident control, reads,
 * triage. A mistyped SQLite path is refused rather than answered with a new, empty store.
 */
export function withRuntimeRegistryOptional<T>(inv: Invocation, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  return withRuntime(inv, fn, { registry: 'optional', mustExist: true });
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
