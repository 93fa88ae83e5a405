import type { ApiContext } from './context.ts';
import { dueOfService } from './dueOfService.ts';
import { rateLimitUse } from './rateUse.ts';
import { capReason, rateLimitReason } from './waitingReasons.ts';
import { countText } from '../../shared/countText.ts';

/** A service whose own limits let none of its due jobs start now, with how many are due and why, in the waiting reasons' words. */
export interface LimitHold {
  service: string;
  jobs: number;
  text: string;
}

/** A service whose own limits let none of its jobs start now, with why: each limit in the waiting reasons' words. */
export interface LimitHeld {
  service: string;
  why: string[];
}

/**
 * The services whose rate limit, max_concurrent, upstream pause or registry `concurrency:` hold their jobs
 * now, of those `pending` (jobs per service) has jobs of and none of the `counted` ones: read from the kept
 * counts, the starts log and the pauses, never the jobs. The dispatch check counts their due jobs;
 * `opsdeck status` names them only.
 */
export async function limitHeld(ctx: Pick<ApiContext, 'store' | 'registry' | 'words'>, pending: Readonly<Record<string, number>>, counted: ReadonlySet<string>): Promise<LimitHeld[]> {
  const [rates, running] = await Promise.all([rateLimitUse(ctx), ctx.store.runningByService()]);
  const held: LimitHeld[] = [];
  for (const [service, n] of Object.entries(pending).sort(([a], [b]) => a.localeCompare(b))) {
    if (n === 0 || counted.has(service)) continue;
    const limit = ctx.registry.service(service)?.concurrency;
    const capped = limit !== undefined && (running[service] ?? 0) >= limit;
    const rated = rateLimitReason(rates.find((r) => r.service_name === service), ctx.words);
    if (capped || rated !== null) held.push({ service, why: [...(capped ? [capReason(service, { limit, running: running[service] ?? 0 })] : []), ...(rated === null ? [] : [rated])] });
  }
  return held;
}

/**
 * The services whose own limits hold their due jobs now (limitHeld): a free slot would not start them, as a
 * job's own waiting reasons say. Due jobs outside the `outside` queues only, and none of the `counted`
 * services, named under an earlier cause.
 */
export async function limitHolds(ctx: Pick<ApiContext, 'store' | 'registry' | 'words'>, outside: ReadonlySet<string>, counted: ReadonlySet<string>): Promise<LimitHold[]> {
  const pending = await ctx.store.pendingByService();
  const holds: LimitHold[] = [];
  for (const { service, why } of await limitHeld(ctx, pending, counted)) {
    const jobs = await dueOfService(ctx.store, service, pending[service] ?? 0, outside);
    if (jobs === 0) continue;
    holds.push({ service, jobs, text: `${countText(jobs)} due job${jobs === 1 ? '' : 's'} of service ${service} ${jobs === 1 ? 'waits' : 'wait'}: ${why.join(', and ')}` });
  }
  return holds;
}
