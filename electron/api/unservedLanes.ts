import type { UnservedService } from '../../shared/views.ts';
import type { RetriedLane } from '../store/failureStore.ts';
import type { ApiContext } from './context.ts';
import { WORKER_LOST_AFTER_MS } from './handlers/workers.ts';
import { workerReasons } from './waitingReasons.ts';
import { fleetNow } from './reconnecting.ts';

/**
 * Of the services and queues an action sent jobs back to, those no live worker takes, each with why in the
 * words a waiting job's reasons and `opsdeck runners` use: "retried" alone reads as running again, when no
 * worker is there to run them.
 */
export async function unservedLanes(ctx: ApiContext, lanes: readonly RetriedLane[]): Promise<UnservedService[]> {
  if (lanes.length === 0) return [];
  // A worker reconnecting after a store outage runs them still: no line says to start one.
  const { workers } = await fleetNow(ctx, WORKER_LOST_AFTER_MS);
  const start = ctx.words.startWorker();
  return lanes.flatMap(({ service_name, queue }) => workerReasons(queue, service_name, workers, start).map((reason) => ({ service: service_name, queue, reason })));
}
