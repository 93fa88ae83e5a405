import type { RegistryView } from '../../../shared/contract.ts';
import { effectiveRetry, effectiveTimeout, type RegistryProblem } from '../../../shared/registry.ts';
import type { RegistryHolder } from '../../config/holder.ts';
import { formatProblem, isError, loadRegistryFile, parseRegistry } from '../../config/load.ts';
import { ApiFailure } from '../errors.ts';
import { checkedEnv } from '../hostHidden.ts';
import type { Handlers } from '../handlerTypes.ts';

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
      throw new ApiFailure(
        'invalid_input',
        `${input.path} has ${result.errors} problem(s); the registry in use is unchanged`,
        issuesOf(input.path, result.problems),
      );
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
