import path from 'node:path';
import type { RegistryView } from '../../../shared/contract.ts';
import { effectiveRetry, effectiveTimeout, type RegistryProblem } from '../../../shared/registry.ts';
import type { RegistryHolder } from '../../config/holder.ts';
import { formatProblem, isError, loadRegistryFile, parseRegistry } from '../../config/load.ts';
import { ApiFailure } from '../errors.ts';
import { checkedEnv } from '../hostHidden.ts';
import type { Handlers } from '../handlerTypes.ts';
import type { ApiContext } from '../context.ts';

export function registryView(holder: RegistryHolder): RegistryView {
  return {
    path: holder.path,
    loaded_at: holder.loadedAt?.toISOString() ?? null,
    services: holder.registry.services.map((s) => ({
      name: s.name,
      execution_type: s.execution_type,
      queue: s.queue,
      timeout: effectiveTimeout(s),
      concurrency: s.concurrency ?? null,
      max_concurrent: s.max_concurrent ?? null,
      retry: effectiveRetry(s),
      auth_type: s.execution_type === 'http' ? s.runner_config.auth_type : null,
    })),
    problems: holder.problems,
    problems_file: holder.problemsFile,
  };
}

function issuesOf(file: string, problems: RegistryProblem[]) {
  return problems.filter(isError).map((p) => ({ path: p.path, message: formatProblem(file, p) }));
}

/** How many of a refused registry's problems its audit row keeps: the first ones say what to fix. */
const AUDITED_PROBLEMS = 5;

/**
 * A load refused (a SIGHUP's, Settings', REST's) is audited as registry.load_refused: the operator asked,
 * and the log must show the registry in use was kept. Answers null, or why the row could not be written:
 * the refusal is still what the caller must hear.
 */
async function auditRefusal(ctx: ApiContext, file: string, errors: number, problems: RegistryProblem[]): Promise<string | null> {
  const first = problems.filter(isError).slice(0, AUDITED_PROBLEMS).map((p) => ({ path: p.path, line: p.line, message: p.message }));
  try {
    await ctx.store.audit({ actor: ctx.actor, action: 'registry.load_refused', target: path.resolve(file), details: { problems: errors, first_problems: first } });
    return null;
  } catch (error) {
    return `not in the audit log: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export const registry: Handlers<'registry.get' | 'registry.validate' | 'registry.load'> = {
  'registry.get': async (_input, ctx) => registryView(ctx.registry),

  'registry.validate': async (input, ctx) => {
    if ((input.path === undefined) === (input.text === undefined)) {
      throw new ApiFailure('invalid_input', 'give either a path or a text to validate', [{ path: '', message: 'exactly one of path and text' }]);
    }
    const parsed = input.text !== undefined ? parseRegistry(input.text, '(text)', checkedEnv(ctx)) : await loadRegistryFile(input.path ?? '', ctx.env);
    return { ok: parsed.registry !== null, problems: parsed.problems, services: parsed.registry?.services.length ?? 0 };
  },

  'registry.load': async (input, ctx) => {
    const result = await ctx.registry.loadFile(input.path);
    if (!result.ok) {
      const refused = `${input.path} has ${result.errors} problem(s); the registry in use is unchanged`;
      const unaudited = await auditRefusal(ctx, input.path, result.errors, result.problems);
      throw new ApiFailure('invalid_input', unaudited === null ? refused : `${refused} (${unaudited})`, issuesOf(input.path, result.problems));
    }
    await ctx.store.audit({
      actor: ctx.actor,
      action: 'registry.load',
      target: ctx.registry.path,
      details: { services: ctx.registry.registry.services.length },
    });
    return registryView(ctx.registry);
  },
};
