import type { OverviewStats } from '../../shared/contract.ts';
import type { ApiContext } from '../api/context.ts';
import { dueWaitCauses } from '../api/dueWaitCauses.ts';

/**
 * The line `opsdeck status` prints under its oldest due job: why due jobs wait, a few words a cause
 * (dueWaitCauses.ts), pointing to the dispatch check for the due counts and what lifts each; null when it
 * finds none. A read that fails says so on this line alone: status is what an operator runs in an incident,
 * and its figures stand without the line.
 */
export async function waitingLine(ctx: Pick<ApiContext, 'store' | 'registry' | 'words'>, stats: OverviewStats): Promise<string | null> {
  const check = ctx.words.healthCheck('dispatch');
  try {
    const causes = await dueWaitCauses(ctx, stats);
    return causes.length === 0 ? null : `due jobs wait: ${causes.join('; ')} (${check} says what lifts each)`;
  } catch (error) {
    return `due jobs wait: cannot tell why: ${error instanceof Error ? error.message : String(error)} (${check} may)`;
  }
}
