import { calls, type CallInput, type CallName, type CallOutput } from '../../shared/contract.ts';
import type { ApiContext } from '../api/context.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../api/runtime.ts';
import { formatProblem, isError } from '../config/load.ts';
import { CliFailure, type Invocation } from './command.ts';

/**
 * Calls one contract call in-process through the same dispatch every host uses. A failure becomes a
 * CliFailure: bad input is a usage error (2), everything else exit 1.
 */
export async function call<N extends CallName>(ctx: ApiContext, name: N, input: CallInput<N>): Promise<CallOutput<N>>;
// The output is parsed with the call's own schema: the overload states the type that parse proves.
export async function call(ctx: ApiContext, name: CallName, input: unknown): Promise<unknown> {
  const response = await dispatch(name, input, ctx);
  if (!response.ok) throw new CliFailure(response.error.message, response.error.code === 'invalid_input' ? 2 : 1);
  return calls[name].output.parse(response.result);
}

/** Opens the runtime a command needs, refuses a registry that does not validate, and always closes it. */
export async function withRuntime<T>(
  inv: Invocation,
  fn: (rt: Runtime) => Promise<T>,
  opts: Partial<RuntimeOptions> = {},
): Promise<T> {
  const rt = await createRuntime({
    db: inv.common.db,
    registryPath: inv.common.registry ?? null,
    env: inv.io.env,
    execute: false,
    ...opts,
  });
  try {
    assertRegistryLoaded(rt);
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

export function assertRegistryLoaded(rt: Runtime): void {
  const load = rt.registryLoad;
  if (!load || load.ok) return;
  const errors = load.problems.filter(isError);
  const first = errors[0];
  const detail = first ? ` (first: ${formatProblem(load.path, first)})` : '';
  throw new CliFailure(`the registry ${load.path} has ${errors.length} problem(s)${detail}; see opsdeck validate-config ${load.path}`);
}

