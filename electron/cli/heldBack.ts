import { CLI_RESET, heldByBreakerText } from '../../shared/breakerRecord.ts';
import { tunedBreaker } from '../../shared/breakerTuning.ts';
import type { BreakerMode, BreakerState } from '../../shared/domain.ts';
import { countText } from '../../shared/countText.ts';
import { effectiveBreaker } from '../../shared/registry.ts';
import { dispatchAllowance } from '../engine/breakerMachine.ts';
import type { RegistrySource } from '../engine/dispatcherOptions.ts';
import { duePending } from '../engine/duePending.ts';
import type { Store } from '../store/store.ts';

/**
 * The due jobs a worker run until empty stopped beside, those of them each breaker holding its service
 * holds, and those of the services it left out of its claims for what it lacks.
 */
export interface HeldBack {
  due: number;
  byBreaker: Array<{ service_name: string; mode: BreakerMode; state: BreakerState; jobs: number }>;
  declined: Array<{ service_name: string; jobs: number }>;
}

/**
 * Read after the worker stopped, in the queues it takes (all of them when null). `declined`: the services
 * it cannot run (a variable unset, the Docker daemon unreachable), whose jobs it left to other workers.
 */
export async function heldBack(store: Store, registry: RegistrySource, queues: readonly string[] | null, declined: readonly string[] = [], now = new Date()): Promise<HeldBack> {
  const due = await duePending(store, queues);
  if (due === 0) return { due, byBreaker: [], declined: [] };
  const left: HeldBack['declined'] = [];
  for (const service of declined) {
    const jobs = await duePending(store, queues, service);
    if (jobs > 0) left.push({ service_name: service, jobs });
  }
  const [records, tunings] = await Promise.all([store.listBreakers(), store.listBreakerTunings()]);
  const byBreaker: HeldBack['byBreaker'] = [];
  for (const record of records) {
    const service = record.service_name;
    const config = tunedBreaker(effectiveBreaker(registry.service(service)), tunings.find((t) => t.service_name === service));
    if (dispatchAllowance(record, config, now) > 0) continue;
    const jobs = await duePending(store, queues, service);
    if (jobs > 0) byBreaker.push({ service_name: service, mode: record.mode, state: record.state, jobs });
  }
  // A job its breaker holds is told there, once.
  return { due, byBreaker, declined: left.filter((l) => !byBreaker.some((b) => b.service_name === l.service_name)) };
}

/**
 * What `worker --until-empty` says as it stops beside due jobs it did not run; null when there are none.
 * The jobs each breaker holds, and those of services this worker cannot run, are told by name; of the rest
 * it says every cause there can be, a job that came due (or was added) after the worker's last claim among
 * them: a count read after it stopped.
 */
export function heldBackLine({ due, byBreaker, declined }: HeldBack): string | null {
  if (due <= 0) return null;
  const behind = byBreaker.reduce((n, b) => n + b.jobs, 0) + declined.reduce((n, d) => n + d.jobs, 0);
  const rest = Math.max(0, due - behind);
  const causes = 'a rate limit, max_concurrent or its service\'s concurrency, a paused queue, safe mode or the emergency stop, a service this registry lacks, or due only since its last claim';
  if (byBreaker.length === 0 && declined.length === 0) return `stopped with ${countText(due)} due job(s) still pending: held back by ${causes}. opsdeck job ID says why`;
  const parts = byBreaker.map((held) => `${heldByBreakerText(held, CLI_RESET)}.`);
  for (const left of declined) parts.push(`${countText(left.jobs)} of service ${left.service_name} left to other workers: this worker cannot run it (opsdeck workers says why).`);
  if (rest > 0) parts.push(`The other ${countText(rest)}: held back by ${causes}.`);
  return `stopped with ${countText(due)} due job(s) still pending. ${parts.join(' ')} opsdeck job ID says why`;
}
