import { invalidInputMessage } from '../../../shared/invalidInput.ts';
import { DEFAULT_RETENTION } from '../../../shared/retention.ts';
import { EVERY_SERVICE_MOST_MINUTES } from '../../../shared/views.ts';
import { ApiFailure } from '../errors.ts';
import type { Handlers } from '../handlerTypes.ts';
import { performanceOf, servicePerformanceOf, windowRefusal, windowStart } from '../performance.ts';

export const metrics: Handlers<'metrics.byType'> = {
  'metrics.byType': async (input, ctx) => {
    const retention = ctx.registry.registry.retention ?? DEFAULT_RETENTION;
    // With retention off nothing is pruned: every minute since the store began is there to read.
    const refused = retention.enabled ? windowRefusal(input.since_minutes, retention.history) : null;
    if (refused) throw new ApiFailure('invalid_input', invalidInputMessage('metrics.byType', `since_minutes: ${refused}`), [{ path: 'since_minutes', message: refused }]);
    const now = new Date();
    const since = windowStart(now, input.since_minutes);
    // Figures per service only when asked: they read the hours summed per service and type, and the minutes
    // on either side, a row per service where the type's read has one per type.
    if (input.service === undefined && input.by === 'service' && input.since_minutes > EVERY_SERVICE_MOST_MINUTES) {
      const message = `every service at once reads at most the last ${EVERY_SERVICE_MOST_MINUTES / 60}h; name one service (service) for a longer window`;
      throw new ApiFailure('invalid_input', invalidInputMessage('metrics.byType', `since_minutes: ${message}`), [{ path: 'since_minutes', message }]);
    }
    if (input.service !== undefined || input.by === 'service') {
      return servicePerformanceOf(await ctx.store.rollupsByService(since, input.service ?? null), since, now, input.type);
    }
    return performanceOf(await ctx.store.rollupsByType(since), since, now, input.type);
  },
};
