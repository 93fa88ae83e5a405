import type { Handlers } from '../handlerTypes.ts';
import { performanceOf, windowStart } from '../performance.ts';

export const metrics: Handlers<'metrics.byType'> = {
  'metrics.byType': async (input, ctx) => {
    const now = new Date();
    const since = windowStart(now, input.since_minutes);
    return performanceOf(await ctx.store.rollupsByType(since), since, now, input.type);
  },
};
