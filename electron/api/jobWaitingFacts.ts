import type { BreakerTuning } from '../../shared/breakerTuning.ts';
import type { ControlState, Job, WorkerInfo } from '../../shared/domain.ts';
import { lostHolderText } from '../../shared/lostLeasesText.ts';
import type { RateLimitView } from '../../shared/rateLimitTuning.ts';
import { breakerAllowance } from './breakerHolds.ts';
import type { ApiContext } from './context.ts';
import { WORKER_LOST_AFTER_MS } from './handlers/workers.ts';
import { fleetNow } from './reconnecting.ts';
import { rateLimitUse } from './rateUse.ts';
import { rateLimitReason, waitingReasons } from './waitingReasons.ts';

/** What holds every pending job alike, read once however many jobs are asked about. */
export interface FleetFacts {
  now: Date;
  control: ControlState;
  tunings: BreakerTuning[];
  rates: RateLimitView[];
  workers: WorkerInfo[];
  /** Running jobs per service (read from the leases, as the dispatcher does): what a service's registry `concurrency:` caps. */
  running: Record<string, number>;
}

export async function fleetFacts(ctx: ApiContext): Promise<FleetFacts> {
  const [control, tunings, rates, { workers }, running] = await Promise.all([
    ctx.store.getControl(),
    ctx.store.listBreakerTunings(),
    rateLimitUse(ctx),
    // Reconnecting after an outage counts as live: a job is not said to have no worker for want of a first heartbeat.
    fleetNow(ctx, WORKER_LOST_AFTER_MS),
    ctx.store.runningByService(),
  ]);
  return { now: new Date(), control, tunings, rates, workers, running };
}

/** Why a job is not starting (waitingReasons), with its breaker read for it; none unless pending. */
export async function waitingOf(ctx: ApiContext, job: Job, fleet: FleetFacts): Promise<string[]> {
  if (job.status !== 'pending') return [];
  const service = job.service_name;
  const breaker = await ctx.store.getBreaker(service);
  const declared = ctx.registry.service(service);
  return waitingReasons({
    job,
    now: fleet.now,
    control: fleet.control,
    breaker,
    breakerAllowance: breakerAllowance(ctx.registry, fleet.tunings, breaker, fleet.now),
    rateLimited: rateLimitReason(fleet.rates.find((r) => r.service_name === service), ctx.words),
    workers: fleet.workers,
    serviceKnownHere: ctx.registry.loadedAt === null ? null : declared !== undefined,
    serviceCap: declared?.concurrency === undefined ? null : { limit: declared.concurrency, running: fleet.running[service] ?? 0 },
    words: ctx.words,
  });
}

/**
 * Why a running job does not move on: its worker is lost, so nobody runs it, and what becomes of it when,
 * as `opsdeck job ID` says it (lostHolderText); none while its worker answers. `workers`: the fleet as
 * listed, lost ones too.
 */
export function lostHolderOf(ctx: Pick<ApiContext, 'words'>, job: Job, workers: readonly WorkerInfo[], now: number): string[] {
  const holder = job.status === 'running' ? workers.find((w) => w.id === job.lease_owner) : undefined;
  return holder?.lost ? [lostHolderText(holder, job.lease_expires_at, now, ctx.words.stuckJob(job.id))] : [];
}
