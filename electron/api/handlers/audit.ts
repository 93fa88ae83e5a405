import { currentAuditAction } from '../../../shared/auditActions.ts';
import type { AuditEntry } from '../../../shared/domain.ts';
import { REDACTED } from '../../config/secrets.ts';
import type { Handlers } from '../handlerTypes.ts';

/**
 * The entries whose target (and these details) say where this host's store or registry file is: a caller
 * blind to the host (ctx.hostHidden) reads them as [redacted], as the health checks leave them out.
 */
// A refused registry's problems may quote a path of the host (a file it could not read): hidden with it.
const HOST_FIELDS: Record<string, string[]> = { 'settings.connection': ['from'], 'registry.load': [], 'registry.load_refused': ['first_problems'] };

function hostHidden(entry: AuditEntry): AuditEntry {
  const fields = HOST_FIELDS[entry.action];
  if (fields === undefined) return entry;
  const details = entry.details === null ? null : Object.fromEntries(Object.entries(entry.details).map(([k, v]) => [k, fields.includes(k) ? REDACTED : v]));
  return { ...entry, target: entry.target === null ? null : REDACTED, details };
}

export const audit: Handlers<'audit.list'> = {
  'audit.list': async (input, ctx) => {
    const action = input.action === undefined ? undefined : currentAuditAction(input.action);
    const page = await ctx.store.listAudit({ action, search: input.search }, { limit: input.limit, after: input.after ?? null });
    return { entries: ctx.hostHidden === undefined ? page.items : page.items.map(hostHidden), next_cursor: page.next_cursor };
  },
};
