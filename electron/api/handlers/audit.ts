import { currentAuditAction } from '../../../shared/auditActions.ts';
import type { Handlers } from '../handlerTypes.ts';

export const audit: Handlers<'audit.list'> = {
  'audit.list': async (input, ctx) => {
    const action = input.action === undefined ? undefined : currentAuditAction(input.action);
    const page = await ctx.store.listAudit({ action, search: input.search }, { limit: input.limit, after: input.after ?? null });
    return { entries: page.items, next_cursor: page.next_cursor };
  },
};
