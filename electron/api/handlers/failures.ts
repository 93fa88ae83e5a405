import type { Handlers } from '../handlerTypes.ts';

/** The largest groups `failures.recent` returns; the total counts every failure in the window. */
const FAILURE_GROUP_LIMIT = 100;

export const failures: Handlers<'failures.recent'> = {
  'failures.recent': async (input, ctx) => {
    // Whole minutes, as the rollups keep them: the window starts at the minute `since_minutes` ago.
    const since = new Date(Math.floor((Date.now() - input.since_minutes * 60_000) / 60_000) * 60_000);
    const { groups, total } = await ctx.store.recentFailures(since, input.service ?? null, FAILURE_GROUP_LIMIT);
    const inGroups = groups.reduce((sum, g) => sum + g.failures, 0);
    return { since: since.toISOString(), groups, total, truncated: total > inGroups };
  },
};
