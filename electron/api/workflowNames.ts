import { closest } from '../../shared/closestWord.ts';
import type { ApiContext } from './context.ts';

/**
 * Beside an empty list of a workflow's runs (the CLI's warning, REST's 422): that neither the registry
 * loaded here nor the store knows a workflow of that name, with the one likely meant. Null when either
 * does, or when no registry is loaded. A workflow taken out of the file keeps its runs, and a page can be
 * empty for its filter alone (a status, a window), so the store is asked for any run of it at all.
 */
export async function unknownWorkflow(ctx: Pick<ApiContext, 'registry' | 'store'>, workflow: string | undefined): Promise<string | null> {
  if (workflow === undefined || ctx.registry.loadedAt === null) return null;
  const known = (ctx.registry.registry.workflows ?? []).map((w) => w.name);
  if (known.includes(workflow)) return null;
  if ((await ctx.store.listWorkflowRuns({ workflow }, { limit: 1 })).items.length > 0) return null;
  const meant = closest(workflow, known);
  return `no workflow named ${workflow} in the registry loaded here (${meant === null ? '' : `did you mean ${meant}? `}known: ${known.join(', ') || 'none'})`;
}
