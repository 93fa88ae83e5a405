import { z } from 'zod';
import type { CallName } from '../../shared/contract.ts';

/** Where each call that searches error text takes its `search`, as its route hands it over. */
const SEARCHES: Partial<Record<CallName, z.ZodType<{ search?: string }>>> = {
  'jobs.list': z.object({ filter: z.object({ search: z.string().optional() }).default({}) }).transform((input) => input.filter),
  'dlq.list': z.object({ selector: z.object({ search: z.string().optional() }).default({}) }).transform((input) => input.selector),
  'dlq.groups': z.object({ search: z.string().optional() }),
  'audit.list': z.object({ search: z.string().optional() }),
};

const Jobs = z.looseObject({ jobs: z.array(z.looseObject({ error_message: z.string().nullable() })), next_cursor: z.string().nullable() });
const Entries = z.looseObject({
  entries: z.array(z.looseObject({ actor: z.string(), action: z.string(), target: z.string().nullable(), details: z.unknown() })),
  next_cursor: z.string().nullable(),
});
const Groups = z.looseObject({ groups: z.array(z.looseObject({ sample_error: z.string(), count: z.number() })), total: z.number(), truncated: z.boolean() });

/** Matched as the store matches: a substring, whatever the letters' case. */
function holds(text: string | null, search: string): boolean {
  return text !== null && text.toLowerCase().includes(search.toLowerCase());
}

/**
 * An audit entry's text as a read key sees it, as the store searches it: who, what, its target and its
 * details, the details written as JSON. PostgreSQL writes them with a space after each `:` and `,`: a
 * read key's search across those finds nothing there, where a full key's does.
 */
function auditText(entry: z.infer<typeof Entries>['entries'][number]): string {
  return `${entry.actor} ${entry.action} ${entry.target ?? ''} ${JSON.stringify(entry.details) ?? ''}`;
}

/**
 * A searched answer as a read key sees it, once its text is cut (asReadKeySees): what matched only inside a
 * cut value is left out. The store matches `search` against the error text as stored, and a job or group
 * answering `search=password=h`, then `password=hu`, … would spell the secret [redacted] hides. Nothing of
 * what was left out may show either: a page that lost a job ends the listing (its next_cursor would say
 * more stored jobs match), as does a page of the audit log that lost an entry (`search=hunter` finding a
 * schedule.add whose payload.password a read key sees [redacted]), and groups that lost one are not said to be cut short. A read key's search
 * that touches a cut value may so show fewer than there are; a full key sees them all.
 */
export function searchedAsReadKeySees(call: CallName, input: unknown, shown: unknown): unknown {
  const search = SEARCHES[call]?.safeParse(input).data?.search;
  if (search === undefined || search === '') return shown;
  const jobs = Jobs.safeParse(shown);
  if (jobs.success) {
    const kept = jobs.data.jobs.filter((job) => holds(job.error_message, search));
    return kept.length === jobs.data.jobs.length ? shown : { ...jobs.data, jobs: kept, next_cursor: null };
  }
  const entries = Entries.safeParse(shown);
  if (entries.success) {
    const kept = entries.data.entries.filter((entry) => holds(auditText(entry), search));
    return kept.length === entries.data.entries.length ? shown : { ...entries.data, entries: kept, next_cursor: null };
  }
  const groups = Groups.safeParse(shown);
  if (!groups.success) return shown;
  const left = groups.data.groups.filter((group) => !holds(group.sample_error, search));
  if (left.length === 0) return shown;
  const kept = groups.data.groups.filter((group) => holds(group.sample_error, search));
  return { ...groups.data, groups: kept, total: groups.data.total - left.reduce((sum, group) => sum + group.count, 0), truncated: false };
}
