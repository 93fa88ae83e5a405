import type { HeldBy, HeldByBreaker } from '../../shared/contract.ts';
import type { BreakerRecord, ControlState } from '../../shared/domain.ts';
import { heldByBreakers } from '../store/failureStore.ts';
import type { ApiContext } from './context.ts';
import type { InterfaceWords } from './interfaceWords.ts';
import { controlReasons } from './waitingReasons.ts';

/**
 * What holds back jobs an action sent to pending, from what it found: the breakers as it counted them, and
 * the control plane, a paused queue only among the queues the jobs went to (null: it could not be read, and
 * nothing is said of it). Nothing for no jobs: then nothing waits. Each field is left out when nothing of its
 * kind holds them.
 */
export function heldByOf(jobs: number, breakers: HeldByBreaker[], control: ControlState | null, queues: readonly string[], release: InterfaceWords['release']): HeldBy {
  const held = jobs === 0 || control === null ? [] : controlReasons(control, queues, release);
  return { ...(breakers.length > 0 ? { held_by_breaker: breakers } : {}), ...(held.length > 0 ? { held_by_control: held } : {}) };
}

/**
 * What holds back the jobs an action just sent to pending (an enqueue, a retry, a workflow run or its retry,
 * a schedule run now), read now: the control row and the breaker of each of their services, a row each. A
 * dead-letter retry counts its breakers in its own transaction and says it with heldByOf.
 */
export async function heldBy(ctx: ApiContext, jobs: ReadonlyArray<{ service_name: string; queue: string }>): Promise<HeldBy> {
  if (jobs.length === 0) return {};
  const byService = new Map<string, number>();
  for (const job of jobs) byService.set(job.service_name, (byService.get(job.service_name) ?? 0) + 1);
  const [control, breakers] = await Promise.all([ctx.store.getControl(), Promise.all([...byService.keys()].map((service) => ctx.store.getBreaker(service)))]);
  const found = breakers.filter((breaker): breaker is BreakerRecord => breaker !== null);
  return heldByOf(jobs.length, heldByBreakers(byService, found), control, [...new Set(jobs.map((job) => job.queue))], ctx.words.release);
}
