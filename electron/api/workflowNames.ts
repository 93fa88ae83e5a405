import { closest } from '../../shared/closestWord.ts';
import type { ApiContext } from './context.ts';

/**
 * Beside an empty list of a workflow's runs (the CLI's warning, REST's 422): that the registry loaded here
 * has no workflow of that name, with the one likely meant. Null when it has, or when none is loaded (a
 * workflow taken out of the file still has its runs, so only an empty answer is questioned).
 */
export function unknownWorkflow(ctx: Pick<ApiContext, 'registry'>, workflow: string | undefined): string | null {
  if (workflow === undefined || ctx.registry.loadedAt === null) return null;
  const known = (ctx.registry.registry.workflows ?? []).map((w) => w.name);
  if (known.includes(workflow)) return null;
  const meant = closest(workflow, known);
  return `no workflow named ${workflow} in the registry loaded here (${meant === null ? '' : `did you mean ${meant}? `}known: ${known.join(', ') || 'none'})`;
}
