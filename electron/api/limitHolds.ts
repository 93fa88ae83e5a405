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

/**
 * The services whose rate limit, max_concurrent, upstream pause or registry `concurrency:` holds their due
 * jobs now: a free slot would not start them, as a job's own waiting reasons say. Due jobs outside the
 * `outside` queues only, and none of the `counted` services, named under an earlier cause.
 */
export async function limitHolds(ctx: Pick<ApiContext, 'store' | 'registry' | 'words'>, outside: ReadonlySet<string>, counted: ReadonlySet<string>): Promise<LimitHold[]> {
  const [pending, rates, running] = await Promise.all([ctx.store.pendingByService(), rateLimitUse(ctx), ctx.store.runningByService()]);
  const holds: LimitHold[] = [];
  for (const [service, n] of Object.entries(pending).sort(([a], [b]) => a.localeCompare(b))) {
    if (n === 0 || counted.has(service)) continue;
    const limit = ctx.registry.service(service)?.concurrency;
    const capped = limit !== undefined && (running[service] ?? 0) >= limit;
    const rated = rateLimitReason(rates.find((r) => r.service_name === service), ctx.words);
    if (!capped && rated === null) continue;
    const jobs = await dueOfService(ctx.store, service, n, outside);
    if (jobs === 0) continue;
    const why = [...(capped ? [capReason(service, { limit, running: running[service] ?? 0 })] : []), ...(rated === null ? [] : [rated])];
    holds.push({ service, jobs, text: `${countText(jobs)} due job${jobs === 1 ? '' : 's'} of service ${service} ${jobs === 1 ? 'waits' : 'wait'}: ${why.join(', and ')}` });
  }
  return holds;
}
